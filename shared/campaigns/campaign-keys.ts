import { tenantPk } from '../data/keys.ts';
import type { ContactState } from './campaign-types.ts';

/**
 * Campaign item families in the main table:
 *   TENANT#t / CAMPAIGN#c           the campaign (while `running` also on gsi1 `CAMPAIGNS#running`)
 *   CAMPAIGN#c / COUNTS             live contact counts per state (atomic ADDs)
 *   CAMPAIGN#c / CONTACT#e164       one contact (the number is the key: no duplicates by design)
 *   TENANT#t / DNC#e164             the tenant's do-not-call entry
 *   TENANT#t / IMPORT#imp           a CSV import job and its progress
 * Contacts carry gsi1pk `CAMPAIGN#c#STATE#s` / gsi1sk `{time}#{number}`: waiting contacts sort by
 * when they are due, active ones by when the dispatcher should look at them again, final ones by
 * when they ended. The dispatcher reads due contacts with one Query per state, never a scan.
 */
export const campaignKeys = {
  campaign: (tenantId: string, campaignId: string) => ({
    pk: tenantPk(tenantId),
    sk: `CAMPAIGN#${campaignId}`,
  }),
  counts: (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'COUNTS' }),
  contact: (campaignId: string, number: string) => ({
    pk: `CAMPAIGN#${campaignId}`,
    sk: `CONTACT#${number}`,
  }),
  dnc: (tenantId: string, number: string) => ({ pk: tenantPk(tenantId), sk: `DNC#${number}` }),
  importJob: (tenantId: string, importId: string) => ({ pk: tenantPk(tenantId), sk: `IMPORT#${importId}` }),
};

export const RUNNING_CAMPAIGNS_PK = 'CAMPAIGNS#running';

export const contactStatePk = (campaignId: string, state: ContactState) =>
  `CAMPAIGN#${campaignId}#STATE#${state}`;

/** gsi1 attributes that file a contact under its state, sorted by `time`. */
export function contactIndex(campaignId: string, state: ContactState, time: string, number: string) {
  return { gsi1pk: contactStatePk(campaignId, state), gsi1sk: `${time}#${number}` };
}

/** Sorts after every number character: `{time}#~` bounds every contact due at `time`. */
export const INDEX_UPPER = '~';
