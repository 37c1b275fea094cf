import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from '../data/dynamo-errors.ts';
import { tenantPk } from '../data/keys.ts';
import { type Page, queryPage, stripKeys } from '../data/pagination.ts';
import { newId } from '../ids/ids.ts';
import { knowledgeKeys, refreshPk } from './knowledge-keys.ts';
import type { KnowledgeSource, RefreshMode, SourceInput, SyncStatus } from './knowledge-schemas.ts';

/** A knowledge base as stored. */
export interface KnowledgeBase {
  id: string;
  tenantId: string;
  name: string;
  sources: KnowledgeSource[];
  refresh: RefreshMode;
  /** Source ids of files whose upload landed (checked when a sync starts or the base is read). */
  uploadedSourceIds?: string[];
  indexVersion?: number;
  documentCount: number;
  chunkCount: number;
  lastSyncId?: string;
  lastSyncStatus?: SyncStatus;
  lastSyncAt?: string;
  /** Set while a sync runs: a second sync is refused until it is cleared. */
  activeSyncId?: string;
  createdAt: string;
  updatedAt: string;
}

function refreshIndex(kb: KnowledgeBase): Record<string, string> {
  return kb.refresh === 'manual' ? {} : { gsi2pk: refreshPk(kb.refresh), gsi2sk: `${kb.tenantId}#${kb.id}` };
}

/** JSON with sorted keys: stored maps come back from DynamoDB in any key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Gives each source an id, keeping the ids of sources that did not change (files keep their upload). */
export function withSourceIds(inputs: SourceInput[], previous: KnowledgeSource[] = []): KnowledgeSource[] {
  const unused = [...previous];
  return inputs.map((input) => {
    const same = unused.findIndex((old) => {
      const { id: _id, ...rest } = old;
      return stableJson(rest) === stableJson(input);
    });
    if (same >= 0) return unused.splice(same, 1)[0] as KnowledgeSource;
    return { ...input, id: newId('knowledgeSource') };
  });
}

export async function createKnowledgeBase(
  db: Db,
  tenantId: string,
  fields: { name: string; sources: SourceInput[]; refresh: RefreshMode },
  now = new Date(),
): Promise<KnowledgeBase> {
  const kb: KnowledgeBase = {
    id: newId('knowledgeBase', now.getTime()),
    tenantId,
    name: fields.name,
    sources: withSourceIds(fields.sources),
    refresh: fields.refresh,
    documentCount: 0,
    chunkCount: 0,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...knowledgeKeys.base(tenantId, kb.id), type: 'knowledgeBase', ...kb, ...refreshIndex(kb) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return kb;
}

export async function getKnowledgeBase(
  db: Db,
  tenantId: string,
  kbId: string,
): Promise<KnowledgeBase | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.base(tenantId, kbId),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<KnowledgeBase>(out.Item) : undefined;
}

/** Newest first. */
export function listKnowledgeBases(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<KnowledgeBase>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'KB#' },
      ScanIndexForward: false,
    },
    { ...page, scope: `knowledge-bases:${tenantId}` },
    (item) => stripKeys<KnowledgeBase>(item),
  );
}

/** Writes `next` over `current`, guarded by `updatedAt` against concurrent patches. */
export async function replaceKnowledgeBase(
  db: Db,
  current: KnowledgeBase,
  next: KnowledgeBase,
): Promise<KnowledgeBase> {
  const kb = { ...next, updatedAt: new Date().toISOString() };
  await dynamo(
    () =>
      db.doc.send(
        new PutCommand({
          TableName: db.tableName,
          Item: {
            ...knowledgeKeys.base(kb.tenantId, kb.id),
            type: 'knowledgeBase',
            ...kb,
            ...refreshIndex(kb),
          },
          ConditionExpression: 'updatedAt = :seen',
          ExpressionAttributeValues: { ':seen': current.updatedAt },
        }),
      ),
    'The knowledge base was changed by another request; fetch it and try again.',
  );
  return kb;
}

/** Records uploads found in S3 so later reads need not look again. */
export async function markUploaded(db: Db, kb: KnowledgeBase, sourceIds: string[]): Promise<void> {
  if (sourceIds.length === 0) return;
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.base(kb.tenantId, kb.id),
        UpdateExpression: 'SET uploadedSourceIds = :ids',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':ids': [...new Set([...(kb.uploadedSourceIds ?? []), ...sourceIds])] },
      }),
    ),
  );
}

export async function deleteKnowledgeBaseItem(db: Db, tenantId: string, kbId: string): Promise<boolean> {
  try {
    await db.doc.send(
      new DeleteCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.base(tenantId, kbId),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}
