import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { cancellationReasons, dynamo, translateDynamoError } from '../data/dynamo-errors.ts';
import { UnavailableError } from '../errors/app-error.ts';
import { campaignKeys } from './campaign-keys.ts';
import type { Contact } from './campaign-types.ts';
import { contactItem, putNewContact } from './contact-store.ts';

/** BatchGetItem reads at most 100 keys; TransactWriteItems writes at most 100 items. */
const READ_CHUNK = 100;
const WRITE_CHUNK = 100;
/** Chunks in flight at once (each one request), and single puts when a chunk falls back. */
const CHUNK_CONCURRENCY = 4;
const SINGLE_PUT_CONCURRENCY = 25;

/**
 * Stores many new contacts of one campaign with few requests, each stored only if the campaign
 * does not have its number yet, exactly as `putNewContact` does one by one. First one consistent
 * BatchGetItem per 100 numbers finds those already there (a resumed import's last step, a
 * re-uploaded file); the rest go in TransactWriteItems of 100 conditional puts. A transaction is
 * all or nothing, so a number added by someone else between the read and the write cancels its
 * chunk, which is then written one conditional put at a time. Unlike BatchWriteItem, no write
 * can ever replace a contact that exists (one being dialed, say). Returns, in input order,
 * whether each contact was stored (false: the campaign already had that number).
 */
export async function putNewContacts(db: Db, contacts: readonly Contact[]): Promise<boolean[]> {
  const campaignIds = new Set(contacts.map((c) => c.campaignId));
  if (campaignIds.size > 1) throw new Error('putNewContacts stores contacts of one campaign at a time');
  const existing = await existingNumbers(db, contacts);
  const fresh = contacts.map((c, i) => ({ c, i })).filter(({ c }) => !existing.has(c.number));
  const stored = contacts.map(() => false);
  const chunks: (typeof fresh)[] = [];
  for (let i = 0; i < fresh.length; i += WRITE_CHUNK) chunks.push(fresh.slice(i, i + WRITE_CHUNK));
  await inBatches(chunks, CHUNK_CONCURRENCY, async (chunk) => {
    const results = await writeChunk(
      db,
      chunk.map(({ c }) => c),
    );
    results.forEach((ok, j) => {
      stored[(chunk[j] as { i: number }).i] = ok;
    });
  });
  return stored;
}

async function existingNumbers(db: Db, contacts: readonly Contact[]): Promise<Set<string>> {
  const found = new Set<string>();
  const chunks: Contact[][] = [];
  for (let i = 0; i < contacts.length; i += READ_CHUNK) chunks.push(contacts.slice(i, i + READ_CHUNK));
  await inBatches(chunks, CHUNK_CONCURRENCY, async (chunk) => {
    let keys: Record<string, unknown>[] | undefined = chunk.map((c) =>
      campaignKeys.contact(c.campaignId, c.number),
    );
    for (let round = 0; keys && keys.length > 0 && round < 8; round++) {
      const out = await dynamo(() =>
        db.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [db.tableName]: {
                Keys: keys as Record<string, unknown>[],
                ConsistentRead: true,
                ProjectionExpression: '#n',
                ExpressionAttributeNames: { '#n': 'number' },
              },
            },
          }),
        ),
      );
      for (const item of out.Responses?.[db.tableName] ?? []) found.add(String(item.number));
      keys = out.UnprocessedKeys?.[db.tableName]?.Keys;
      if (keys?.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
    }
    if (keys?.length) throw new UnavailableError('The campaign contacts could not be read; try again.');
  });
  return found;
}

/** One transaction of conditional puts; on a failed condition, the chunk one put at a time. */
async function writeChunk(db: Db, chunk: readonly Contact[]): Promise<boolean[]> {
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: chunk.map((contact) => ({
          Put: {
            TableName: db.tableName,
            Item: contactItem(contact),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
      }),
    );
    return chunk.map(() => true);
  } catch (error) {
    const reasons = cancellationReasons(error);
    // Only a number that appeared since the read (or a conflicting write) is worth retrying alone.
    if (!reasons.some((r) => r === 'ConditionalCheckFailed' || r === 'TransactionConflict')) {
      throw translateDynamoError(error);
    }
    const results: boolean[] = [];
    for (let i = 0; i < chunk.length; i += SINGLE_PUT_CONCURRENCY) {
      results.push(
        ...(await Promise.all(chunk.slice(i, i + SINGLE_PUT_CONCURRENCY).map((c) => putNewContact(db, c)))),
      );
    }
    return results;
  }
}

async function inBatches<T>(items: readonly T[], width: number, run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(run));
}
