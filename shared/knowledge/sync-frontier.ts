import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import {
  cancellationReasons,
  dynamo,
  isConditionFailure,
  translateDynamoError,
} from '../data/dynamo-errors.ts';
import { queryAll, stripKeys } from '../data/pagination.ts';
import { kbPk, knowledgeKeys } from './knowledge-keys.ts';
import { getSync } from './sync-records.ts';

/**
 * A sync's frontier (`KB#kb / PAGE#sync#h(url)`): one entry per page, sitemap, text or file to
 * process, added at most once per URL and finished exactly once, each move in the same
 * transaction as the sync's counters.
 */
export type PageOutcome = 'fetched' | 'unchanged' | 'failed' | 'skipped';
/** What a frontier entry is: a page to fetch, or a task that only feeds the frontier or one document. */
export type PageKind = 'page' | 'sitemap' | 'text' | 'file';

export interface PageRecord {
  url: string;
  kind: PageKind;
  sourceId: string;
  depth: number;
  state: 'queued' | PageOutcome;
  attempts: number;
  parentUrl?: string;
  errorCode?: string;
  error?: string;
}

export type AddPageResult = 'added' | 'exists' | 'limit' | 'not_running';

/**
 * Adds one entry to a sync's frontier, at most once per URL (the page item is created only if
 * absent), counting it against its source's `maxPages` and in `pending`, in one transaction.
 */
export async function addPage(
  db: Db,
  kbId: string,
  syncId: string,
  page: Omit<PageRecord, 'state' | 'attempts'>,
  maxPages: number,
): Promise<AddPageResult> {
  const countsAsPage = page.kind !== 'sitemap';
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.tableName,
              Item: {
                ...knowledgeKeys.page(kbId, syncId, page.url),
                type: 'knowledgePage',
                ...page,
                state: 'queued',
                attempts: 0,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: db.tableName,
              Key: knowledgeKeys.sync(kbId, syncId),
              UpdateExpression: countsAsPage
                ? 'ADD pending :one, pagesDiscovered :one, sourcePages.#src :one'
                : 'ADD pending :one',
              ConditionExpression: countsAsPage
                ? '#status = :running AND sourcePages.#src < :max'
                : '#status = :running',
              ExpressionAttributeNames: {
                '#status': 'status',
                ...(countsAsPage ? { '#src': page.sourceId } : {}),
              },
              ExpressionAttributeValues: {
                ':one': 1,
                ':running': 'running',
                ...(countsAsPage ? { ':max': maxPages } : {}),
              },
            },
          },
        ],
      }),
    );
    return 'added';
  } catch (error) {
    if (!isConditionFailure(error)) throw translateDynamoError(error);
    const [pageReason, syncReason] = cancellationReasons(error);
    if (pageReason === 'ConditionalCheckFailed') return 'exists';
    if (syncReason === 'ConditionalCheckFailed') {
      const sync = await getSync(db, kbId, syncId);
      return sync?.status === 'running' ? 'limit' : 'not_running';
    }
    throw translateDynamoError(error);
  }
}

export async function getPage(
  db: Db,
  kbId: string,
  syncId: string,
  url: string,
): Promise<PageRecord | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.page(kbId, syncId, url),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<PageRecord>(out.Item) : undefined;
}

/** Counts one more attempt of a queued page (before a retry is scheduled). */
export async function notePageAttempt(db: Db, kbId: string, syncId: string, url: string): Promise<number> {
  const out = await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.page(kbId, syncId, url),
        UpdateExpression: 'ADD attempts :one',
        ConditionExpression: '#state = :queued',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':one': 1, ':queued': 'queued' },
        ReturnValues: 'UPDATED_NEW',
      }),
    ),
  );
  return Number(out.Attributes?.attempts ?? 0);
}

export interface PageCompletion {
  outcome: PageOutcome | 'done';
  chunks?: number;
  embedded?: number;
  errorCode?: string;
  error?: string;
}

/**
 * Finishes a queued entry and moves the sync's counters in one transaction; false when the entry
 * was already finished (a redelivered message), so counters move exactly once per entry.
 */
export async function completePage(
  db: Db,
  kbId: string,
  syncId: string,
  url: string,
  completion: PageCompletion,
  now = new Date(),
): Promise<boolean> {
  const counter = completion.outcome === 'done' ? '' : `, ${completion.outcome} :one`;
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: knowledgeKeys.page(kbId, syncId, url),
              UpdateExpression: 'SET #state = :state, errorCode = :code, #error = :error',
              ConditionExpression: '#state = :queued',
              ExpressionAttributeNames: { '#state': 'state', '#error': 'error' },
              ExpressionAttributeValues: {
                ':state': completion.outcome === 'done' ? 'fetched' : completion.outcome,
                ':queued': 'queued',
                ':code': completion.errorCode ?? null,
                ':error': completion.error ?? null,
              },
            },
          },
          {
            Update: {
              TableName: db.tableName,
              Key: knowledgeKeys.sync(kbId, syncId),
              UpdateExpression: `SET lastProgressAt = :now ADD pending :minus, chunks :chunks, embedded :embedded${counter}`,
              ExpressionAttributeValues: {
                ':now': now.toISOString(),
                ':minus': -1,
                ':chunks': completion.chunks ?? 0,
                ':embedded': completion.embedded ?? 0,
                ...(counter ? { ':one': 1 } : {}),
              },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}

/** The finished (failed or skipped) entries of a sync, with their reasons. */
export async function listSyncProblems(
  db: Db,
  kbId: string,
  syncId: string,
  limit = 100,
): Promise<PageRecord[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: '#state IN (:failed, :skipped)',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: {
      ':pk': kbPk(kbId),
      ':prefix': `PAGE#${syncId}#`,
      ':failed': 'failed',
      ':skipped': 'skipped',
    },
  });
  return items.slice(0, limit).map((item) => stripKeys<PageRecord>(item));
}

/** Entries of a sync still queued (the watchdog fails them when a sync stalls). */
export async function listQueuedPages(db: Db, kbId: string, syncId: string): Promise<PageRecord[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: '#state = :queued',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':pk': kbPk(kbId), ':prefix': `PAGE#${syncId}#`, ':queued': 'queued' },
  });
  return items.map((item) => stripKeys<PageRecord>(item));
}
