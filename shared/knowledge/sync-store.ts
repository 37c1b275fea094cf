import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import {
  cancellationReasons,
  dynamo,
  isConditionFailure,
  translateDynamoError,
} from '../data/dynamo-errors.ts';
import { queryAll, stripKeys } from '../data/pagination.ts';
import { ConflictError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import { ACTIVE_SYNCS_PK, kbPk, knowledgeKeys } from './knowledge-keys.ts';
import type { SyncStatus } from './knowledge-schemas.ts';

export type PageOutcome = 'fetched' | 'unchanged' | 'failed' | 'skipped';
/** What a frontier entry is: a page to fetch, or a task that only feeds the frontier or one document. */
export type PageKind = 'page' | 'sitemap' | 'text' | 'file';

export interface SyncRecord {
  id: string;
  kbId: string;
  tenantId: string;
  status: SyncStatus;
  trigger: 'api' | 'schedule';
  pagesDiscovered: number;
  fetched: number;
  unchanged: number;
  failed: number;
  skipped: number;
  chunks: number;
  embedded: number;
  /** Entries not yet finished; the sync publishes when it reaches 0. */
  pending: number;
  /** Pages enqueued per source, for `maxPages`. */
  sourcePages: Record<string, number>;
  indexVersion?: number;
  startedAt: string;
  lastProgressAt: string;
  finishedAt?: string;
}

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

/**
 * Starts a sync: the sync item and the knowledge base's `activeSyncId` in one transaction, so a
 * second sync while one runs is a ConflictError (409).
 */
export async function createSync(
  db: Db,
  input: { tenantId: string; kbId: string; sourceIds: string[]; trigger: 'api' | 'schedule' },
  now = new Date(),
): Promise<SyncRecord> {
  const sync: SyncRecord = {
    id: newId('knowledgeSync', now.getTime()),
    kbId: input.kbId,
    tenantId: input.tenantId,
    status: 'running',
    trigger: input.trigger,
    pagesDiscovered: 0,
    fetched: 0,
    unchanged: 0,
    failed: 0,
    skipped: 0,
    chunks: 0,
    embedded: 0,
    pending: 0,
    sourcePages: Object.fromEntries(input.sourceIds.map((id) => [id, 0])),
    startedAt: now.toISOString(),
    lastProgressAt: now.toISOString(),
  };
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: knowledgeKeys.base(input.tenantId, input.kbId),
              UpdateExpression: 'SET activeSyncId = :sync, lastSyncId = :sync, lastSyncStatus = :running',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(activeSyncId)',
              ExpressionAttributeValues: { ':sync': sync.id, ':running': 'running' },
            },
          },
          {
            Put: {
              TableName: db.tableName,
              Item: {
                ...knowledgeKeys.sync(input.kbId, sync.id),
                type: 'knowledgeSync',
                gsi1pk: ACTIVE_SYNCS_PK,
                gsi1sk: sync.id,
                ...sync,
              },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) {
      throw new ConflictError('A sync of this knowledge base is already running.', {
        details: { reason: 'sync_running' },
      });
    }
    throw translateDynamoError(error);
  }
  return sync;
}

export async function getSync(db: Db, kbId: string, syncId: string): Promise<SyncRecord | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.sync(kbId, syncId),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<SyncRecord>(out.Item) : undefined;
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

/** Moves a sync from one status to another; false when it was not in `from` (someone else moved it). */
export async function transitionSync(
  db: Db,
  kbId: string,
  syncId: string,
  from: SyncStatus,
  to: SyncStatus,
  fields: Record<string, unknown> = {},
): Promise<boolean> {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':from': from, ':to': to };
  const sets = ['#status = :to'];
  for (const [i, [name, value]] of Object.entries(fields).entries()) {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  }
  const finished = to !== 'running' && to !== 'indexing';
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.sync(kbId, syncId),
        UpdateExpression: `SET ${sets.join(', ')}${finished ? ' REMOVE gsi1pk, gsi1sk' : ''}`,
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
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

/** Syncs not yet finished, across tenants (for the watchdog). */
export async function listActiveSyncs(db: Db): Promise<SyncRecord[]> {
  const items = await queryAll(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': ACTIVE_SYNCS_PK },
  });
  return items.map((item) => stripKeys<SyncRecord>(item));
}

/** Clears the knowledge base's running-sync marker and records how the sync ended. */
export async function finishKnowledgeBaseSync(
  db: Db,
  tenantId: string,
  kbId: string,
  syncId: string,
  fields: { status: SyncStatus; indexVersion?: number; documentCount?: number; chunkCount?: number },
  now = new Date(),
): Promise<void> {
  const sets = ['lastSyncStatus = :status', 'lastSyncAt = :now'];
  const values: Record<string, unknown> = {
    ':status': fields.status,
    ':now': now.toISOString(),
    ':sync': syncId,
  };
  if (fields.indexVersion !== undefined) {
    sets.push('indexVersion = :version');
    values[':version'] = fields.indexVersion;
  }
  if (fields.documentCount !== undefined) {
    sets.push('documentCount = :docs, chunkCount = :chunks');
    values[':docs'] = fields.documentCount;
    values[':chunks'] = fields.chunkCount ?? 0;
  }
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.base(tenantId, kbId),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE activeSyncId`,
        ConditionExpression: 'activeSyncId = :sync',
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    // The base was deleted, or another sync took over after a watchdog finish: nothing to record.
    if (!isConditionFailure(error)) throw translateDynamoError(error);
  }
}
