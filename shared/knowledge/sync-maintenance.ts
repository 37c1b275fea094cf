import { ConflictError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { queryAll, stripKeys } from '../data/pagination.ts';
import type { KnowledgeBase } from './knowledge-base-store.ts';
import { refreshPk } from './knowledge-keys.ts';
import { sendCrawlPage, sendIndexMessage } from './knowledge-messages.ts';
import { type KnowledgeDeps, startSync } from './knowledge-operations.ts';
import type { RefreshMode } from './knowledge-schemas.ts';
import { completePage, listQueuedPages } from './sync-frontier.ts';
import {
  finishKnowledgeBaseSync,
  listActiveSyncs,
  noteSyncResumed,
  type SyncRecord,
  transitionSync,
} from './sync-records.ts';

const PERIOD_MS: Record<Exclude<RefreshMode, 'manual'>, number> = {
  daily: 86_400_000,
  weekly: 7 * 86_400_000,
};
/** A schedule that runs every few minutes should not start a refresh minutes early each day. */
const SLACK_MS = 10 * 60_000;

/**
 * How often the watchdog re-sends a stalled sync's queued entries before giving up on them. A
 * stall is nearly always lost messages (a consumer crash past the retention, a purge, a message
 * moved to the DLQ by hand); re-sending is safe because an entry is processed at most once.
 */
export const MAX_SYNC_RESUMES = 2;

const publishMessage = (sync: SyncRecord) =>
  ({ type: 'knowledge.publish', tenantId: sync.tenantId, kbId: sync.kbId, syncId: sync.id }) as const;

/**
 * Resumes a stalled running sync: one new message per queued entry (or the publish message when
 * nothing is queued any more). Returns false when another watchdog run got there first.
 */
async function resumeSync(deps: KnowledgeDeps, sync: SyncRecord): Promise<boolean> {
  if (!(await noteSyncResumed(deps.db, sync))) return false;
  const queued = await listQueuedPages(deps.db, sync.kbId, sync.id);
  for (const page of queued) {
    await sendCrawlPage(deps.sqs, deps.queueUrls, {
      tenantId: sync.tenantId,
      kbId: sync.kbId,
      syncId: sync.id,
      url: page.url,
    });
  }
  if (queued.length === 0) await sendIndexMessage(deps.sqs, deps.queueUrls, publishMessage(sync));
  return true;
}

/** Gives up on a sync that stalled again after its resumes: its queued entries fail, it publishes. */
async function finishStalledSync(deps: KnowledgeDeps, sync: SyncRecord): Promise<void> {
  for (const page of await listQueuedPages(deps.db, sync.kbId, sync.id)) {
    await completePage(deps.db, sync.kbId, sync.id, page.url, {
      outcome: 'failed',
      errorCode: 'stalled',
      error: 'No progress in time; the sync was finished without this page.',
    });
  }
  await sendIndexMessage(deps.sqs, deps.queueUrls, publishMessage(sync));
}

/**
 * The watchdog: no sync stays unfinished. A running sync without progress for `stallMs` is
 * resumed (its queued entries are sent again) up to `MAX_SYNC_RESUMES` times; after that its
 * remaining entries are failed (`stalled`) and it is published with what it has. One stuck
 * publishing (its index message went to the DLQ) for twice as long is failed.
 */
export async function finishStalledSyncs(
  deps: KnowledgeDeps,
  stallMs: number,
  logger: Logger,
  nowMs = Date.now(),
): Promise<{ resumed: number; finished: number }> {
  let resumed = 0;
  let finished = 0;
  for (const sync of await listActiveSyncs(deps.db)) {
    const idleMs = nowMs - Date.parse(sync.lastProgressAt);
    if (sync.status === 'running' && idleMs > stallMs) {
      if ((sync.resumes ?? 0) < MAX_SYNC_RESUMES) {
        if (await resumeSync(deps, sync)) {
          logger.warn('stalled sync resumed by the watchdog', { kbId: sync.kbId, syncId: sync.id, idleMs });
          resumed += 1;
        }
        continue;
      }
      await finishStalledSync(deps, sync);
      logger.warn('stalled sync finished by the watchdog', { kbId: sync.kbId, syncId: sync.id, idleMs });
      finished += 1;
    } else if (sync.status === 'indexing' && idleMs > 2 * stallMs) {
      if (
        await transitionSync(deps.db, sync.kbId, sync.id, 'indexing', 'failed', {
          finishedAt: new Date(nowMs).toISOString(),
        })
      ) {
        await finishKnowledgeBaseSync(deps.db, sync.tenantId, sync.kbId, sync.id, { status: 'failed' });
        logger.error('sync failed while publishing; marked failed by the watchdog', {
          kbId: sync.kbId,
          syncId: sync.id,
        });
        finished += 1;
      }
    }
  }
  return { resumed, finished };
}

/** Starts the scheduled refreshes that are due (`daily`, `weekly`); a base already syncing is left alone. */
export async function startDueRefreshes(
  deps: KnowledgeDeps,
  logger: Logger,
  nowMs = Date.now(),
): Promise<number> {
  let started = 0;
  for (const mode of ['daily', 'weekly'] as const) {
    const items = await queryAll(deps.db, {
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': refreshPk(mode) },
    });
    for (const kb of items.map((item) => stripKeys<KnowledgeBase>(item))) {
      const last = kb.lastSyncAt ? Date.parse(kb.lastSyncAt) : 0;
      if (kb.activeSyncId || nowMs - last < PERIOD_MS[mode] - SLACK_MS) continue;
      try {
        await startSync(deps, kb.tenantId, kb.id, 'schedule');
        started += 1;
      } catch (error) {
        if (!(error instanceof ConflictError))
          logger.error('scheduled refresh failed to start', { kbId: kb.id, err: error });
      }
    }
  }
  return started;
}
