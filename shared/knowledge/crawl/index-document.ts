import { createHash } from 'node:crypto';
import { getDocument, putDocument, putDuplicate, touchDocument } from '../document-store.ts';
import { storeChunks } from '../index/chunk-artifacts.ts';
import { chunkDocument } from './chunk-text.ts';
import { type CrawlDeps, type CrawlEntry, type EntryResult, skipped } from './crawl-context.ts';
import { claimContent } from './crawl-support.ts';
import { documentText, type ExtractedDocument } from './extracted-document.ts';

/**
 * Records one extracted document. The content hash decides the cost: the same content as last
 * time is only marked seen (no chunking, no embedding); the same content as another URL in this
 * sync is skipped as a duplicate (its validators kept, so the next sync asks conditionally); new content is chunked, embedded once and stored by hash.
 */
export async function indexDocument(
  deps: CrawlDeps,
  entry: CrawlEntry,
  doc: ExtractedDocument,
  fields: { etag?: string; lastModified?: string; validatorsUrl?: string; links?: string[] },
): Promise<EntryResult> {
  const { kb, syncId, page } = entry;
  const text = documentText(doc);
  const contentHash = createHash('sha256').update(text).digest('hex');
  const previous = await getDocument(deps.db, kb.id, page.url);
  const ownedBefore = previous?.status === 'indexed' && previous.contentHash === contentHash;
  const duplicateOf = await claimContent(deps, entry, contentHash, ownedBefore);
  if (duplicateOf) {
    if (fields.etag || fields.lastModified)
      await putDuplicate(deps.db, kb.id, {
        url: page.url,
        duplicateOf,
        contentHash,
        etag: fields.etag,
        lastModified: fields.lastModified,
        validatorsUrl: fields.validatorsUrl,
        links: fields.links,
        seenSyncId: syncId,
      });
    return skipped('duplicate_content', `Same content as ${duplicateOf}.`);
  }
  const now = new Date().toISOString();
  if (previous?.contentHash === contentHash && previous.status === 'indexed') {
    await touchDocument(deps.db, kb.id, page.url, {
      seenSyncId: syncId,
      lastFetchedAt: now,
      etag: fields.etag,
      lastModified: fields.lastModified,
      validatorsUrl: fields.validatorsUrl,
    });
    return { kind: 'complete', outcome: 'unchanged', chunks: previous.chunkCount };
  }
  const chunks = chunkDocument(doc);
  if (chunks.length === 0) return skipped('no_text', 'The document has no readable text.');
  const embedded = await storeChunks(
    deps.storage,
    { tenantId: kb.tenantId, kbId: kb.id, contentHash },
    doc.title,
    chunks,
    deps.embed,
  );
  await putDocument(deps.db, kb.id, {
    url: page.url,
    sourceId: page.sourceId,
    title: doc.title || undefined,
    status: 'indexed',
    contentHash,
    chunkCount: chunks.length,
    etag: fields.etag,
    lastModified: fields.lastModified,
    validatorsUrl: fields.validatorsUrl,
    lastFetchedAt: now,
    seenSyncId: syncId,
    changedSyncId: syncId,
    links: fields.links,
  });
  return { kind: 'complete', outcome: 'fetched', chunks: chunks.length, embedded };
}
