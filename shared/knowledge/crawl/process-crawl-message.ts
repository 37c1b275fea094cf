import type { Logger } from '../../logging/logger.ts';
import { getKnowledgeBase } from '../knowledge-base-store.ts';
import { type CrawlPageMessage, sendCrawlPage, sendIndexMessage } from '../knowledge-messages.ts';
import { completePage, getPage, notePageAttempt } from '../sync-frontier.ts';
import { getSync } from '../sync-records.ts';
import { retryDelayMs } from './backoff.ts';
import type { CrawlDeps, EntryResult } from './crawl-context.ts';
import { crawlEntry } from './crawl-entry.ts';

/** Sends the publish message once every entry of a running sync has finished (idempotent downstream). */
export async function publishIfDrained(
  deps: CrawlDeps,
  message: { tenantId: string; kbId: string; syncId: string },
): Promise<boolean> {
  const sync = await getSync(deps.db, message.kbId, message.syncId);
  if (sync?.status !== 'running' || sync.pending > 0) return false;
  const { tenantId, kbId, syncId } = message;
  await sendIndexMessage(deps.sqs, deps.queueUrls, { type: 'knowledge.publish', tenantId, kbId, syncId });
  return true;
}

/**
 * Handles one crawl message end to end: loads the entry, processes it, then either finishes it
 * (counters move exactly once, in the same transaction as the entry's state) or schedules the
 * next attempt as a new delayed message before this one is deleted. Retries use exponential
 * backoff with full jitter and honour `Retry-After`; after the last attempt the page is failed
 * and the sync carries on. Errors thrown here (DynamoDB, S3, embeddings down) leave the message
 * on the queue for SQS to redeliver.
 */
export async function processCrawlMessage(
  deps: CrawlDeps,
  message: CrawlPageMessage,
  context: { attempt: number; logger: Logger },
): Promise<string> {
  const { kbId, syncId, url, tenantId } = message;
  const sync = await getSync(deps.db, kbId, syncId);
  if (sync?.status !== 'running') return 'sync not running';
  const [kb, page] = await Promise.all([
    getKnowledgeBase(deps.db, tenantId, kbId),
    getPage(deps.db, kbId, syncId, url),
  ]);
  if (!kb || !page) return 'entry gone';
  if (page.state !== 'queued') {
    await publishIfDrained(deps, message);
    return 'already finished';
  }
  const source = kb.sources.find((s) => s.id === page.sourceId);
  let result: EntryResult = source
    ? await crawlEntry(deps, { kb, syncId, page, source, redelivered: context.attempt > 1 })
    : { kind: 'complete', outcome: 'skipped', code: 'source_removed', message: 'The source was removed.' };

  if (result.kind === 'later') {
    await sendCrawlPage(deps.sqs, deps.queueUrls, { tenantId, kbId, syncId, url }, result.delayMs / 1000);
    return 'waiting for the host';
  }
  if (result.kind === 'retry') {
    const attempts = await notePageAttempt(deps.db, kbId, syncId, url);
    if (attempts < deps.retry.maxAttempts) {
      const delay = retryDelayMs(attempts, deps.retry, result.retryAfterMs);
      context.logger.info('page will be retried', { code: result.code, attempts, delayMs: delay });
      await sendCrawlPage(deps.sqs, deps.queueUrls, { tenantId, kbId, syncId, url }, delay / 1000);
      return `retry in ${delay} ms`;
    }
    result = {
      kind: 'complete',
      outcome: 'failed',
      code: result.code,
      message: `${result.message} (after ${attempts} attempts)`,
    };
  }
  const moved = await completePage(deps.db, kbId, syncId, url, {
    outcome: result.outcome,
    chunks: result.chunks,
    embedded: result.embedded,
    errorCode: result.code,
    error: result.message,
  });
  await publishIfDrained(deps, message);
  return moved ? result.outcome : 'already finished';
}
