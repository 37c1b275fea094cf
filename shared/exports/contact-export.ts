import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Campaign, Contact } from '../campaigns/campaign-types.ts';
import type { Db } from '../data/client.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { stripKeys } from '../data/pagination.ts';
import type { Cell } from './csv.ts';

/**
 * The columns of a campaign-contacts export and the pure function that turns a contact into a
 * row: its state, attempts, last outcome, every call placed for it (`callIds`, oldest first,
 * joined with ` | `) and one `variables.<name>` column per variable the campaign knows.
 */
export const CONTACT_COLUMNS = [
  'number',
  'state',
  'attempts',
  'lastOutcome',
  'lastError',
  'lastCallId',
  'callIds',
  'nextAttemptAt',
  'timezone',
  'createdAt',
  'updatedAt',
] as const;

/** Columns for a campaign: the base ones plus `variables.<name>` (placeholders and campaign values). */
export function contactExportColumns(campaign: Pick<Campaign, 'placeholders' | 'variables'>): string[] {
  const names = new Set([...campaign.placeholders, ...Object.keys(campaign.variables)]);
  return [...CONTACT_COLUMNS, ...[...names].sort().map((name) => `variables.${name}`)];
}

/** One contact as `{column: value}` (pure); a variable the contact lacks is empty. */
export function contactExportRow(contact: Contact, columns: readonly string[]): Record<string, Cell> {
  const callIds = contact.callIds ?? (contact.lastCallId ? [contact.lastCallId] : []);
  const values: Record<string, Cell> = {
    number: contact.number,
    state: contact.state,
    attempts: contact.attempts,
    lastOutcome: contact.lastOutcome,
    lastError: contact.lastError,
    lastCallId: contact.lastCallId,
    callIds: callIds.length ? callIds.join(' | ') : undefined,
    nextAttemptAt: contact.nextAttemptAt,
    timezone: contact.timezone,
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
  };
  for (const [name, value] of Object.entries(contact.variables ?? {})) values[`variables.${name}`] = value;
  const row: Record<string, Cell> = {};
  for (const column of columns) row[column] = values[column];
  return row;
}

/** A campaign's contacts in number order, one Query page at a time, from `startKey` on. */
export async function* contactPages(
  db: Db,
  campaignId: string,
  options: { state?: string; startKey?: Record<string, unknown>; pageSize?: number },
): AsyncGenerator<{ contacts: Contact[]; lastKey: Record<string, unknown> | undefined }> {
  let startKey = options.startKey;
  do {
    const out = await dynamo(() =>
      db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `CAMPAIGN#${campaignId}`, ':prefix': 'CONTACT#' },
          Limit: options.pageSize ?? 500,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    const contacts = (out.Items ?? [])
      .map((item) => stripKeys<Contact>(item))
      .filter((contact) => !options.state || contact.state === options.state);
    startKey = out.LastEvaluatedKey;
    yield { contacts, lastKey: startKey };
  } while (startKey);
}
