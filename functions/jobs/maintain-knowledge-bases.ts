import { env } from '#shared/config/env.ts';
import { finishStalledSyncs, startDueRefreshes } from '#shared/knowledge/sync-maintenance.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { knowledgeDepsFromEnv } from '../lib/knowledge-deps.ts';

const logger = createLogger({ context: { service: 'maintain-knowledge-bases' } });

/**
 * Scheduled (every 5 minutes, `SCHEDULED_JOBS`): the sync watchdog (resumes, then finishes,
 * stalled syncs) and the daily/weekly refreshes that are due.
 */
export const handler = async (): Promise<{ resumed: number; finished: number; started: number }> => {
  const deps = knowledgeDepsFromEnv();
  const { resumed, finished } = await finishStalledSyncs(
    deps,
    env().KNOWLEDGE_SYNC_STALL_SECONDS * 1000,
    logger,
  );
  const started = await startDueRefreshes(deps, logger);
  if (resumed + finished + started > 0) logger.info('knowledge maintenance', { resumed, finished, started });
  return { resumed, finished, started };
};
