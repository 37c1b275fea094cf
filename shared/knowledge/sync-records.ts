import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from '../data/dynamo-errors.ts';
import { queryAll, stripKeys } from '../data/pagination.ts';
import { ConflictError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import { ACTIVE_SYNCS_PK, knowledgeKeys } from './knowledge-keys.ts';
import type { SyncStatus } from './knowledge-schemas.ts';
import { buildUpdate } from '../data/update-expression.ts';

/**
 * A sync's own record (`KB#kb / SYNC#sync`) with its counters and status, and the knowledge
 * base's running-sync marker. The frontier entries it counts live in `sync-frontier.ts`.
 */
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
  /** Times the watchdog re-sent the messages of a stalled sync's queued entries. */
  resumes?: number;
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

/** Moves a sync from one status to another; false when it was not in `from` (someone else moved it). */
export async function transitionSync(
  db: Db,
  kbId: string,
  syncId: string,
  from: SyncStatus,
  to: SyncStatus,
  fields: Record<string, unknown> = {},
): Promise<boolean> {
  const finished = to !== 'running' && to !== 'indexing';
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.sync(kbId, syncId),
        ...buildUpdate({
          set: { status: to, ...fields },
          // A finished sync leaves the index of active syncs.
          remove: finished ? ['gsi1pk', 'gsi1sk'] : [],
          condition: {
            expression: '#status = :from',
            names: { '#status': 'status' },
            values: { ':from': from },
          },
        }),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}

/**
 * Records that the watchdog resumed a stalled sync: counts the resume and restarts the stall
 * clock. Conditional on the progress time the watchdog saw, so of two watchdog runs racing on
 * one sync only one resumes it; false for the other (or when the sync moved on meanwhile).
 */
export async function noteSyncResumed(
  db: Db,
  sync: Pick<SyncRecord, 'kbId' | 'id' | 'lastProgressAt'>,
  now = new Date(),
): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.sync(sync.kbId, sync.id),
        UpdateExpression: 'SET lastProgressAt = :now ADD resumes :one',
        ConditionExpression: '#status = :running AND lastProgressAt = :seen',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':now': now.toISOString(),
          ':one': 1,
          ':running': 'running',
          ':seen': sync.lastProgressAt,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
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
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.base(tenantId, kbId),
        ...buildUpdate({
          set: {
            lastSyncStatus: fields.status,
            lastSyncAt: now.toISOString(),
            indexVersion: fields.indexVersion,
            ...(fields.documentCount !== undefined
              ? { documentCount: fields.documentCount, chunkCount: fields.chunkCount ?? 0 }
              : {}),
          },
          remove: ['activeSyncId'],
          condition: { expression: 'activeSyncId = :sync', values: { ':sync': syncId } },
        }),
      }),
    );
  } catch (error) {
    // The base was deleted, or another sync took over after a watchdog finish: nothing to record.
    if (!isConditionFailure(error)) throw translateDynamoError(error);
  }
}
