import type { z } from 'zod';
import type { SyncSchema } from './knowledge-schemas.ts';
import type { PageRecord } from './sync-frontier.ts';
import type { SyncRecord } from './sync-records.ts';

/**
 * A sync as the API shows it. Progress counts finished frontier entries against those found so
 * far (a crawl discovers its size as it goes, so the percentage can step back while it grows);
 * the ETA extrapolates the pace so far to what is left.
 */
export function presentSync(
  sync: SyncRecord,
  problems: PageRecord[],
  nowMs = Date.now(),
): z.output<typeof SyncSchema> {
  const done = sync.fetched + sync.unchanged + sync.failed + sync.skipped;
  const finished = sync.status !== 'running' && sync.status !== 'indexing';
  let percent = 100;
  let etaSeconds: number | null = 0;
  if (!finished) {
    // Publishing the index is the last step: a running sync never shows 100 %.
    percent = sync.pagesDiscovered === 0 ? 0 : Math.min(99, Math.floor((done / sync.pagesDiscovered) * 100));
    const elapsedMs = nowMs - Date.parse(sync.startedAt);
    const left = Math.max(0, sync.pagesDiscovered - done);
    etaSeconds = done === 0 ? null : Math.ceil(((elapsedMs / done) * left) / 1000);
  }
  return {
    id: sync.id,
    knowledgeBaseId: sync.kbId,
    status: sync.status,
    trigger: sync.trigger,
    pagesDiscovered: sync.pagesDiscovered,
    fetched: sync.fetched,
    unchanged: sync.unchanged,
    failed: sync.failed,
    skipped: sync.skipped,
    chunks: sync.chunks,
    embedded: sync.embedded,
    percent,
    etaSeconds,
    indexVersion: sync.indexVersion ?? null,
    startedAt: sync.startedAt,
    finishedAt: sync.finishedAt ?? null,
    errors: problems.map((page) => ({
      url: page.url,
      code: page.errorCode ?? page.state,
      message: page.error ?? '',
    })),
  };
}
