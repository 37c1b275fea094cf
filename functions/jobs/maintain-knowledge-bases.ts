import { env } from '#shared/config/env.ts';
import { finishStalledSyncs, startDueRefreshes } from '#shared/knowledge/sync-maintenance.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { knowledgeDepsFromEnv } from '../lib/knowledge-deps.ts';

const logger = createLogger({ context: { service: 'maintain-knowledge-bases' } });

/** Scheduled (EventBridge, every 5 minutes): the sync watchdog and the daily/weekly refreshes. */
export const handler = async (): Promise<{ finished: number; started: number }> => {
  const deps = knowledgeDepsFromEnv();
  const finished = await finishStalledSyncs(deps, env().KNOWLEDGE_SYNC_STALL_SECONDS * 1000, logger);
  const started = await startDueRefreshes(deps, logger);
  logger.info('knowledge maintenance', { finished, started });
  return { finished, started };
};
