import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { type Page, queryAll, queryPage, stripKeys } from '../data/pagination.ts';
import { kbPk, knowledgeKeys } from './knowledge-keys.ts';

/** One indexed document (a page, an uploaded file or a text source) and what refreshes need. */
export interface DocumentRecord {
  url: string;
  sourceId: string;
  title?: string;
  status: 'indexed' | 'removed';
  contentHash?: string;
  chunkCount: number;
  etag?: string;
  lastModified?: string;
  /**
   * The URL the validators came from: the last hop of the redirects (absent on records written
   * before redirects were tracked: the document's own URL). The conditional headers go to it.
   */
  validatorsUrl?: string;
  lastFetchedAt?: string;
  /** The last sync that saw this document (fetched, or confirmed unchanged). */
  seenSyncId?: string;
  /** The last sync that changed its content (its chunks were embedded then). */
  changedSyncId?: string;
  /** In-scope links found on the page, so a 304 still feeds the frontier. */
  links?: string[];
  error?: string;
}

export async function getDocument(db: Db, kbId: string, url: string): Promise<DocumentRecord | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.document(kbId, url),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<DocumentRecord>(out.Item) : undefined;
}

export async function putDocument(db: Db, kbId: string, doc: DocumentRecord): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...knowledgeKeys.document(kbId, doc.url), type: 'knowledgeDocument', ...doc },
      }),
    ),
  );
}

/** Marks an unchanged document as seen by this sync, refreshing its validators. */
export async function touchDocument(
  db: Db,
  kbId: string,
  url: string,
  fields: {
    seenSyncId: string;
    lastFetchedAt: string;
    etag?: string;
    lastModified?: string;
    validatorsUrl?: string;
  },
): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.document(kbId, url),
        UpdateExpression:
          'SET seenSyncId = :sync, lastFetchedAt = :at, etag = :etag, lastModified = :lm, validatorsUrl = :vu, #status = :indexed REMOVE #error',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':sync': fields.seenSyncId,
          ':at': fields.lastFetchedAt,
          ':etag': fields.etag ?? null,
          ':lm': fields.lastModified ?? null,
          ':vu': fields.validatorsUrl ?? null,
          ':indexed': 'indexed',
        },
      }),
    ),
  );
}

/**
 * A page whose content is another URL's (it is not indexed on its own): kept only so that the
 * next sync can ask for it conditionally and follow its links on a 304 without a download.
 */
export interface DuplicateRecord {
  url: string;
  /** The URL that held the content when this page was last read, and the content's hash. */
  duplicateOf: string;
  contentHash: string;
  etag?: string;
  lastModified?: string;
  /** The last hop of the redirects, which the validators belong to. */
  validatorsUrl?: string;
  links?: string[];
  seenSyncId: string;
}

export async function getDuplicate(db: Db, kbId: string, url: string): Promise<DuplicateRecord | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.duplicate(kbId, url),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<DuplicateRecord>(out.Item) : undefined;
}

export async function putDuplicate(db: Db, kbId: string, record: DuplicateRecord): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...knowledgeKeys.duplicate(kbId, record.url), type: 'knowledgeDuplicate', ...record },
      }),
    ),
  );
}

export async function deleteDuplicate(db: Db, kbId: string, url: string): Promise<void> {
  await dynamo(() =>
    db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: knowledgeKeys.duplicate(kbId, url) })),
  );
}

export function listDocumentsPage(
  db: Db,
  kbId: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<DocumentRecord>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': kbPk(kbId), ':prefix': 'DOC#' },
    },
    { ...page, scope: `knowledge-documents:${kbId}` },
    (item) => stripKeys<DocumentRecord>(item),
  );
}

/** Every document of a base (publishing reads them all; bounded by the sources' page limits). */
export async function listAllDocuments(db: Db, kbId: string): Promise<DocumentRecord[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': kbPk(kbId), ':prefix': 'DOC#' },
  });
  return items.map((item) => stripKeys<DocumentRecord>(item));
}

/** Every item of a base's partition (deleting a base removes them all). */
export async function listPartitionKeys(db: Db, kbId: string): Promise<{ pk: string; sk: string }[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': kbPk(kbId) },
    ProjectionExpression: 'pk, sk',
  });
  return items as { pk: string; sk: string }[];
}
