import {
  type DocumentRecord,
  type DuplicateRecord,
  deleteDuplicate,
  putDuplicate,
  touchDocument,
} from '../document-store.ts';
import type { CrawlDeps, CrawlEntry, EntryResult } from './crawl-context.ts';
import { heldElsewhere } from './crawl-support.ts';
import type { StoredValidators } from './fetch-page.ts';

/** What the last sync kept of a page: its indexed document, or the record of a duplicate page. */
export type StoredCopy =
  | { kind: 'document'; record: DocumentRecord; validators: StoredValidators }
  | { kind: 'duplicate'; record: DuplicateRecord; validators: StoredValidators };

const validatorsOf = (record: StoredValidators): StoredValidators => ({
  etag: record.etag ?? undefined,
  lastModified: record.lastModified ?? undefined,
  validatorsUrl: record.validatorsUrl ?? undefined,
});

/**
 * The copy a conditional request describes. An indexed document wins: a duplicate record left
 * from a sync where the page was a duplicate is older than the document indexed since (and a page
 * that turns into a duplicate has its document removed when that sync publishes).
 */
export function storedCopy(
  document: DocumentRecord | undefined,
  duplicate: DuplicateRecord | undefined,
): StoredCopy | undefined {
  if (document?.status === 'indexed')
    return { kind: 'document', record: document, validators: validatorsOf(document) };
  if (duplicate) return { kind: 'duplicate', record: duplicate, validators: validatorsOf(duplicate) };
  return undefined;
}

/**
 * A 304 for a page with a stored copy (on whichever hop the validators were sent to). A document
 * is marked seen and counted unchanged, as before. A duplicate is unchanged only while another URL
 * still holds its content: if the original changed or went away, this page may now be the only
 * source of that content, and a 304 brings no body to index it from. Then its record is dropped
 * and the page comes back (not an attempt) for an unconditional fetch, which claims the content
 * like a new page does. An original that changes later in the same sync than its duplicate's 304
 * is seen one sync later (the same as for a duplicate fetched in full before its original).
 */
export async function refreshUnchanged(
  deps: CrawlDeps,
  entry: CrawlEntry,
  copy: StoredCopy,
  answer: { url: string; etag?: string; lastModified?: string },
  follow: (links: string[]) => Promise<void>,
): Promise<EntryResult> {
  const { kb, page, syncId } = entry;
  const validators = { etag: answer.etag, lastModified: answer.lastModified, validatorsUrl: answer.url };
  if (copy.kind === 'document') {
    await touchDocument(deps.db, kb.id, page.url, {
      seenSyncId: syncId,
      lastFetchedAt: new Date().toISOString(),
      ...validators,
    });
    await follow(copy.record.links ?? []);
    return { kind: 'complete', outcome: 'unchanged', chunks: copy.record.chunkCount };
  }
  const holder = await heldElsewhere(deps, entry, copy.record.contentHash);
  if (!holder) {
    await deleteDuplicate(deps.db, kb.id, page.url);
    return { kind: 'later', delayMs: 0 };
  }
  await putDuplicate(deps.db, kb.id, {
    ...copy.record,
    ...validators,
    duplicateOf: holder,
    seenSyncId: syncId,
  });
  await follow(copy.record.links ?? []);
  return { kind: 'complete', outcome: 'unchanged', chunks: 0 };
}
