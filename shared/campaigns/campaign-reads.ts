import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { stripKeys } from '../data/pagination.ts';
import { UnavailableError } from '../errors/app-error.ts';
import { campaignKeys } from './campaign-keys.ts';
import type { Campaign, Contact } from './campaign-types.ts';
import type { DncEntry } from './dnc-store.ts';

export interface ContactContext {
  contact?: Contact;
  campaign?: Campaign;
  /** Only read when asked for (`withDnc`). */
  dnc?: DncEntry;
}

/**
 * A contact, its campaign and (for a dial) the number's do-not-call entry in one consistent
 * BatchGetItem instead of three GetItems: the dialer and the outcome path read these for every
 * call. Each read is as fresh as its own GetItem would be (strongly consistent).
 */
export async function readContactContext(
  db: Db,
  ref: { tenantId: string; campaignId: string; number: string },
  options: { withDnc?: boolean } = {},
): Promise<ContactContext> {
  const contactKey = campaignKeys.contact(ref.campaignId, ref.number);
  const campaignKey = campaignKeys.campaign(ref.tenantId, ref.campaignId);
  const dncKey = campaignKeys.dnc(ref.tenantId, ref.number);
  let keys: Record<string, unknown>[] | undefined = [
    contactKey,
    campaignKey,
    ...(options.withDnc ? [dncKey] : []),
  ];
  const items: Record<string, unknown>[] = [];
  for (let round = 0; keys && keys.length > 0 && round < 8; round++) {
    const out = await dynamo(() =>
      db.doc.send(
        new BatchGetCommand({
          RequestItems: { [db.tableName]: { Keys: keys as Record<string, unknown>[], ConsistentRead: true } },
        }),
      ),
    );
    items.push(...(out.Responses?.[db.tableName] ?? []));
    keys = out.UnprocessedKeys?.[db.tableName]?.Keys;
    if (keys?.length) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
  }
  if (keys?.length) throw new UnavailableError('The campaign could not be read; try again.');
  const find = (key: { pk: string; sk: string }) => items.find((i) => i.pk === key.pk && i.sk === key.sk);
  const contact = find(contactKey);
  const campaign = find(campaignKey);
  const dnc = options.withDnc ? find(dncKey) : undefined;
  return {
    ...(contact ? { contact: stripKeys<Contact>(contact) } : {}),
    ...(campaign ? { campaign: stripKeys<Campaign>(campaign) } : {}),
    ...(dnc ? { dnc: stripKeys<DncEntry>(dnc) } : {}),
  };
}
