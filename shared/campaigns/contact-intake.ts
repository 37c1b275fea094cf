import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { isValidTimeZone } from '../analytics/time-zones.ts';
import type { Db } from '../data/client.ts';
import { ConflictError } from '../errors/app-error.ts';
import { nextWindowOpening } from './calling-window.ts';
import { ContactInputSchema } from './campaign-schemas.ts';
import { addContactCounts } from './campaign-store.ts';
import type { Campaign, Contact } from './campaign-types.ts';
import { contactTimeZone } from './contact-timezone.ts';
import { putNewContacts } from './contact-batch-store.ts';
import { numbersOnDnc } from './dnc-store.ts';
import { variableRules, variablesProblem } from './template-variables.ts';

export interface RejectedContact {
  index: number;
  number: string;
  error: string;
}

export interface IntakeResult {
  accepted: number;
  skippedDnc: number;
  rejected: RejectedContact[];
}

/** A contact that passed every check of its own, ready to store. */
interface CheckedContact {
  index: number;
  number: string;
  timezone: string;
  variables: Record<string, string>;
}

/** The E.164 form of a number, or undefined when it is not a valid, dialable one. */
export function normalizeNumber(raw: string): string | undefined {
  const parsed = parsePhoneNumberFromString(raw.trim());
  return parsed?.isValid() ? parsed.number : undefined;
}

/** Checks one contact against the campaign: number, zone, variables. */
export function checkContact(
  campaign: Campaign,
  raw: unknown,
  index: number,
  now: Date,
): CheckedContact | RejectedContact {
  const rawNumber =
    typeof (raw as { number?: unknown })?.number === 'string' ? (raw as { number: string }).number : '';
  const parsed = ContactInputSchema.safeParse(raw);
  if (!parsed.success) return { index, number: rawNumber, error: 'invalid_row' };
  const number = normalizeNumber(parsed.data.number);
  if (!number) return { index, number: rawNumber, error: 'invalid_number' };
  if (parsed.data.timezone !== undefined && !isValidTimeZone(parsed.data.timezone)) {
    return { index, number: rawNumber, error: 'invalid_timezone' };
  }
  const zone = contactTimeZone({
    number,
    timezone: parsed.data.timezone,
    campaignTimeZone: campaign.timezone,
    now,
  });
  if (!zone.ok) return { index, number: rawNumber, error: zone.error };
  const variables = parsed.data.variables ?? {};
  const problem = variablesProblem(
    { ...campaign.variables, ...variables },
    variableRules(campaign.placeholders, campaign.variables),
  );
  if (problem)
    return { index, number: rawNumber, error: problem.replace(/^(unknown|missing) variable/, '$1_variable') };
  return { index, number, timezone: zone.timeZone, variables };
}

/** When a new contact is first due: the window's next opening after the campaign may call. */
function firstDueAt(campaign: Campaign, timezone: string, now: Date): string {
  const earliest = Math.max(
    now.getTime(),
    campaign.schedule.startAt ? Date.parse(campaign.schedule.startAt) : 0,
  );
  const opening = nextWindowOpening(earliest, timezone, campaign.callingWindow) ?? earliest;
  return new Date(opening).toISOString();
}

/**
 * Validates and stores a batch of contacts: each is checked on its own (a bad row never sinks
 * the batch), numbers repeated in the batch or already in the campaign are `duplicate`, and
 * numbers on the tenant's do-not-call list are stored as `skipped_dnc` so the counts show them.
 * `indexBase` is added to each row's position in `rejected`, or `indexOf` maps it (CSV imports
 * report row numbers).
 */
export async function addContacts(
  db: Db,
  campaign: Campaign,
  rows: readonly unknown[],
  options: { now?: Date; indexBase?: number; indexOf?: (position: number) => number } = {},
): Promise<IntakeResult> {
  if (campaign.status === 'completed' || campaign.status === 'canceled') {
    throw new ConflictError(`Contacts cannot be added to a ${campaign.status} campaign.`, {
      details: { reason: 'campaign_finished', status: campaign.status },
    });
  }
  const now = options.now ?? new Date();
  const base = options.indexBase ?? 0;
  const rejected: RejectedContact[] = [];
  const checked: CheckedContact[] = [];
  const seen = new Set<string>();
  rows.forEach((raw, i) => {
    const result = checkContact(campaign, raw, options.indexOf ? options.indexOf(i) : i + base, now);
    if ('error' in result) rejected.push(result);
    else if (seen.has(result.number))
      rejected.push({ index: result.index, number: result.number, error: 'duplicate' });
    else {
      seen.add(result.number);
      checked.push(result);
    }
  });
  const onDnc = await numbersOnDnc(
    db,
    campaign.tenantId,
    checked.map((c) => c.number),
  );
  const iso = now.toISOString();
  const contacts = checked.map((c): Contact => {
    const dnc = onDnc.has(c.number);
    return {
      campaignId: campaign.id,
      tenantId: campaign.tenantId,
      number: c.number,
      timezone: c.timezone,
      variables: c.variables,
      state: dnc ? 'skipped_dnc' : 'pending',
      attempts: 0,
      ...(dnc ? {} : { nextAttemptAt: firstDueAt(campaign, c.timezone, now) }),
      createdAt: iso,
      updatedAt: iso,
    };
  });
  let accepted = 0;
  let skippedDnc = 0;
  (await putNewContacts(db, contacts)).forEach((ok, j) => {
    const c = checked[j] as CheckedContact;
    if (!ok) rejected.push({ index: c.index, number: c.number, error: 'duplicate' });
    else if (onDnc.has(c.number)) skippedDnc++;
    else accepted++;
  });
  await addContactCounts(db, campaign.id, { pending: accepted, skipped_dnc: skippedDnc });
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: accepted + skippedDnc, skippedDnc, rejected };
}
