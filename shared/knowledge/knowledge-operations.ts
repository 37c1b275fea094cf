import type { SQSClient } from '@aws-sdk/client-sqs';
import type { z } from 'zod';
import type { Db } from '../data/client.ts';
import { NotFoundError, ValidationError } from '../errors/app-error.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import { refusedTarget } from '../net/outbound-target.ts';
import { canonicalUrl } from './crawl/url-rules.ts';
import {
  createKnowledgeBase,
  deleteKnowledgeBaseItem,
  getKnowledgeBase,
  type KnowledgeBase,
  markUploaded,
  replaceKnowledgeBase,
  withSourceIds,
} from './knowledge-base-store.ts';
import { sendCrawlPage, sendIndexMessage } from './knowledge-messages.ts';
import type {
  CreateKnowledgeBaseBodySchema,
  KnowledgeBaseSchema,
  KnowledgeSource,
  SourceInput,
  UpdateKnowledgeBaseBodySchema,
  UploadSchema,
} from './knowledge-schemas.ts';
import { headObject, type KnowledgeStorage, presignUpload, storageKeys } from './knowledge-storage.ts';
import { addPage, type PageKind } from './sync-frontier.ts';
import { createSync, type SyncRecord } from './sync-records.ts';

export interface KnowledgeDeps {
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  storage: KnowledgeStorage;
  /** Crawl private/loopback targets (local development only). */
  allowPrivateTargets: boolean;
}

type Upload = z.output<typeof UploadSchema>;

export async function requireKnowledgeBase(db: Db, tenantId: string, kbId: string): Promise<KnowledgeBase> {
  const kb = await getKnowledgeBase(db, tenantId, kbId);
  if (!kb) throw new NotFoundError('Knowledge base not found.');
  return kb;
}

export function presentKnowledgeBase(kb: KnowledgeBase): z.output<typeof KnowledgeBaseSchema> {
  const uploaded = new Set(kb.uploadedSourceIds ?? []);
  return {
    id: kb.id,
    name: kb.name,
    sources: kb.sources.map((source) =>
      source.type === 'file' ? { ...source, uploaded: uploaded.has(source.id) } : source,
    ),
    refresh: kb.refresh,
    indexVersion: kb.indexVersion ?? null,
    documentCount: kb.documentCount,
    chunkCount: kb.chunkCount,
    lastSyncId: kb.lastSyncId ?? null,
    lastSyncStatus: kb.lastSyncStatus ?? null,
    createdAt: kb.createdAt,
    updatedAt: kb.updatedAt,
  };
}

/** The address a source's document is known by (pages keep their own URLs). */
export function sourceDocumentUrl(kbId: string, source: KnowledgeSource): string {
  if (source.type === 'text') return `kb://${kbId}/text/${source.id}`;
  if (source.type === 'file') return `kb://${kbId}/files/${source.id}/${encodeURIComponent(source.fileName)}`;
  return canonicalUrl(source.url) ?? source.url;
}

/** Website and sitemap URLs must be public (outside local): a 400 naming the source otherwise. */
async function checkTargets(sources: SourceInput[], allowPrivate: boolean): Promise<void> {
  const problems: { path: string; message: string }[] = [];
  await Promise.all(
    sources.map(async (source, index) => {
      if (source.type !== 'website' && source.type !== 'sitemap') return;
      const reason = await refusedTarget(source.url, { allowPrivate });
      if (reason)
        problems.push({
          path: `sources.${index}.url`,
          message: reason === 'private_address' ? 'the URL points to a private or local address' : reason,
        });
    }),
  );
  if (problems.length) throw new ValidationError('A source URL cannot be crawled.', { details: problems });
}

/** Presigned PUTs for the file sources not uploaded yet. */
async function uploadsFor(storage: KnowledgeStorage, kb: KnowledgeBase): Promise<Upload[]> {
  const uploaded = new Set(kb.uploadedSourceIds ?? []);
  const uploads: Upload[] = [];
  for (const source of kb.sources) {
    if (source.type !== 'file' || uploaded.has(source.id)) continue;
    const key = storageKeys.upload(kb.tenantId, kb.id, source.id, source.fileName);
    const signed = await presignUpload(storage, key, source.contentType, source.sizeBytes);
    uploads.push({ sourceId: source.id, method: 'PUT', ...signed });
  }
  return uploads;
}

/** Notices file uploads that landed since the last look; returns the base as it now is. */
export async function refreshUploads(deps: KnowledgeDeps, kb: KnowledgeBase): Promise<KnowledgeBase> {
  const uploaded = new Set(kb.uploadedSourceIds ?? []);
  const landed: string[] = [];
  for (const source of kb.sources) {
    if (source.type !== 'file' || uploaded.has(source.id)) continue;
    const head = await headObject(
      deps.storage,
      storageKeys.upload(kb.tenantId, kb.id, source.id, source.fileName),
    );
    if (head) landed.push(source.id);
  }
  if (landed.length === 0) return kb;
  await markUploaded(deps.db, kb, landed);
  return { ...kb, uploadedSourceIds: [...uploaded, ...landed] };
}

export async function createKnowledgeBaseWithUploads(
  deps: KnowledgeDeps,
  tenantId: string,
  body: z.output<typeof CreateKnowledgeBaseBodySchema>,
): Promise<{ kb: KnowledgeBase; uploads: Upload[] }> {
  await checkTargets(body.sources, deps.allowPrivateTargets);
  const kb = await createKnowledgeBase(deps.db, tenantId, body);
  return { kb, uploads: await uploadsFor(deps.storage, kb) };
}

export async function updateKnowledgeBase(
  deps: KnowledgeDeps,
  tenantId: string,
  kbId: string,
  patch: z.output<typeof UpdateKnowledgeBaseBodySchema>,
): Promise<{ kb: KnowledgeBase; uploads: Upload[] }> {
  const current = await requireKnowledgeBase(deps.db, tenantId, kbId);
  if (patch.sources) await checkTargets(patch.sources, deps.allowPrivateTargets);
  const sources = patch.sources ? withSourceIds(patch.sources, current.sources) : current.sources;
  const kept = new Set(sources.map((s) => s.id));
  const kb = await replaceKnowledgeBase(deps.db, current, {
    ...current,
    name: patch.name ?? current.name,
    refresh: patch.refresh ?? current.refresh,
    sources,
    uploadedSourceIds: (current.uploadedSourceIds ?? []).filter((id) => kept.has(id)),
  });
  return { kb, uploads: await uploadsFor(deps.storage, kb) };
}

/** Deletes the base at once; its documents, chunks and index versions are purged by the index consumer. */
export async function removeKnowledgeBase(
  deps: KnowledgeDeps,
  tenantId: string,
  kbId: string,
): Promise<void> {
  if (!(await deleteKnowledgeBaseItem(deps.db, tenantId, kbId)))
    throw new NotFoundError('Knowledge base not found.');
  await sendIndexMessage(deps.sqs, deps.queueUrls, { type: 'knowledge.purge', tenantId, kbId });
}

function entryFor(kbId: string, source: KnowledgeSource): { url: string; kind: PageKind } {
  const kind: PageKind = source.type === 'website' ? 'page' : source.type;
  return { url: sourceDocumentUrl(kbId, source), kind };
}

export function maxPagesOf(source: KnowledgeSource): number {
  return source.type === 'website' || source.type === 'sitemap' ? source.maxPages : 1;
}

/**
 * Starts a sync: one frontier entry per source, each sent to the crawl queue. A base without
 * sources publishes an empty index at once. A second sync while one runs is a 409.
 */
export async function startSync(
  deps: KnowledgeDeps,
  tenantId: string,
  kbId: string,
  trigger: 'api' | 'schedule',
): Promise<SyncRecord> {
  const kb = await refreshUploads(deps, await requireKnowledgeBase(deps.db, tenantId, kbId));
  const sync = await createSync(deps.db, { tenantId, kbId, sourceIds: kb.sources.map((s) => s.id), trigger });
  let added = 0;
  for (const source of kb.sources) {
    const entry = entryFor(kbId, source);
    const result = await addPage(
      deps.db,
      kbId,
      sync.id,
      { ...entry, sourceId: source.id, depth: 0 },
      maxPagesOf(source),
    );
    if (result !== 'added') continue;
    added += 1;
    await sendCrawlPage(deps.sqs, deps.queueUrls, { tenantId, kbId, syncId: sync.id, url: entry.url });
  }
  if (added === 0)
    await sendIndexMessage(deps.sqs, deps.queueUrls, {
      type: 'knowledge.publish',
      tenantId,
      kbId,
      syncId: sync.id,
    });
  return { ...sync, pagesDiscovered: added, pending: added };
}
