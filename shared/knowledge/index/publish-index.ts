import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../data/client.ts';
import type { Logger } from '../../logging/logger.ts';
import { type DocumentRecord, listAllDocuments, listPartitionKeys, putDocument } from '../document-store.ts';
import { getKnowledgeBase } from '../knowledge-base-store.ts';
import type { SyncStatus } from '../knowledge-schemas.ts';
import { deletePrefix, type KnowledgeStorage, storageKeys } from '../knowledge-storage.ts';
import { getPage } from '../sync-frontier.ts';
import { finishKnowledgeBaseSync, getSync, transitionSync } from '../sync-records.ts';
import { loadChunks } from './chunk-artifacts.ts';
import { type IndexRow, writeIndexVersion } from './lance-index.ts';

export interface PublishDeps {
  db: Db;
  storage: KnowledgeStorage;
  logger: Logger;
}

/** Versions kept behind the published one, for calls that started on them. */
const KEEP_OLD_VERSIONS = 2;
/** Failures that say the page is gone (its document leaves the index); others keep the last good copy. */
const GONE = new Set(['http_404', 'http_410']);

async function keepsDocument(db: Db, kbId: string, syncId: string, doc: DocumentRecord): Promise<boolean> {
  if (doc.seenSyncId === syncId) return true;
  const page = await getPage(db, kbId, syncId, doc.url);
  return page?.state === 'failed' && !GONE.has(page.errorCode ?? '');
}

function statusOf(counts: { fetched: number; unchanged: number; failed: number }): SyncStatus {
  if (counts.failed > 0 && counts.fetched + counts.unchanged === 0) return 'failed';
  return counts.failed > 0 ? 'completed_with_errors' : 'completed';
}

/**
 * Publishes a drained sync: documents not seen any more leave the index, and when anything
 * changed a new immutable index version is written and then published by setting the version
 * number on the knowledge base (one conditional write, so readers switch atomically). Nothing
 * changed → no new version and no embedding. Safe to run twice: a finished sync is left alone.
 */
export async function publishSync(
  deps: PublishDeps,
  ids: { tenantId: string; kbId: string; syncId: string },
): Promise<string> {
  const { db, storage } = deps;
  const { tenantId, kbId, syncId } = ids;
  let sync = await getSync(db, kbId, syncId);
  if (!sync) return 'sync gone';
  if (sync.status === 'running') {
    // Once pending is 0 nothing can add entries (only a running entry adds its links).
    if (!(await transitionSyncWhenDrained(db, kbId, syncId))) return 'not drained';
    sync = (await getSync(db, kbId, syncId)) ?? sync;
  }
  if (sync.status !== 'indexing') return 'already finished';
  const kb = await getKnowledgeBase(db, tenantId, kbId);
  if (!kb) {
    await transitionSync(db, kbId, syncId, 'indexing', 'failed', { finishedAt: new Date().toISOString() });
    return 'knowledge base gone';
  }

  const documents = await listAllDocuments(db, kbId);
  const kept: DocumentRecord[] = [];
  let removed = 0;
  for (const doc of documents) {
    if (doc.status !== 'indexed') continue;
    if (await keepsDocument(db, kbId, syncId, doc)) kept.push(doc);
    else {
      await putDocument(db, kbId, { ...doc, status: 'removed', chunkCount: 0, links: [] });
      removed += 1;
    }
  }
  const status = statusOf(sync);
  const changed =
    removed > 0 || kept.some((d) => d.changedSyncId === syncId) || kb.indexVersion === undefined;
  let version = kb.indexVersion;
  if (changed && status !== 'failed') {
    version = (kb.indexVersion ?? 0) + 1;
    const rows: IndexRow[] = [];
    for (const doc of kept) {
      if (!doc.contentHash) continue;
      const { title, chunks } = await loadChunks(storage, { tenantId, kbId, contentHash: doc.contentHash });
      chunks.forEach((chunk, i) => {
        rows.push({
          id: `${doc.contentHash}:${i}`,
          url: doc.url,
          title: doc.title ?? title,
          heading: chunk.heading,
          text: chunk.text,
          vector: chunk.vector,
        });
      });
    }
    await writeIndexVersion(storage, { tenantId, kbId, version }, rows);
    deps.logger.info('index version written', { kbId, version, rows: rows.length, removed });
  }
  const chunkCount = kept.reduce((sum, d) => sum + d.chunkCount, 0);
  await transitionSync(db, kbId, syncId, 'indexing', status, {
    finishedAt: new Date().toISOString(),
    indexVersion: version ?? null,
  });
  await finishKnowledgeBaseSync(db, tenantId, kbId, syncId, {
    status,
    indexVersion: version,
    documentCount: kept.length,
    chunkCount,
  });
  if (version !== undefined && version > KEEP_OLD_VERSIONS + 1) {
    await deletePrefix(storage, `${storageKeys.indexDir(tenantId, kbId, version - KEEP_OLD_VERSIONS - 1)}/`);
  }
  return status;
}

async function transitionSyncWhenDrained(db: Db, kbId: string, syncId: string): Promise<boolean> {
  const sync = await getSync(db, kbId, syncId);
  if (sync?.status !== 'running' || sync.pending > 0) return false;
  // The watchdog times the publishing from here, not from the last page.
  return transitionSync(db, kbId, syncId, 'running', 'indexing', {
    lastProgressAt: new Date().toISOString(),
  });
}

/** Removes every trace of a deleted knowledge base: its items, uploads, chunks and index versions. */
export async function purgeKnowledgeBase(
  deps: PublishDeps,
  ids: { tenantId: string; kbId: string },
): Promise<number> {
  const keys = await listPartitionKeys(deps.db, ids.kbId);
  for (let i = 0; i < keys.length; i += 25) {
    let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0 && attempt < 8; attempt++) {
      const out = await deps.db.doc.send(
        new BatchWriteCommand({ RequestItems: { [deps.db.tableName]: requests } }),
      );
      requests = (out.UnprocessedItems?.[deps.db.tableName] ?? []) as typeof requests;
    }
  }
  let objects = 0;
  for (const prefix of storageKeys.base(ids.tenantId, ids.kbId))
    objects += await deletePrefix(deps.storage, prefix);
  return keys.length + objects;
}
