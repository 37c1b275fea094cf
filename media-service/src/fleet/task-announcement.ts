import type { Env } from '#shared/config/env.ts';
import type { Db } from '#shared/data/client.ts';
import { registerMediaTask } from '#shared/data/media-tasks.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { resolveTaskUrl } from './task-url.ts';

/**
 * Records where this task listens, so tasks that receive a command for one of its calls can hand
 * it over. Never fails the start: without the record, commands for this task's calls fall back to
 * waiting on the shared queue until this task receives them itself.
 */
export async function announceTask(input: {
  env: Pick<Env, 'MEDIA_TASK_URL' | 'ECS_CONTAINER_METADATA_URI_V4' | 'STAGE'>;
  db: Db;
  logger: Logger;
  taskId: string;
  port: number;
}): Promise<string | undefined> {
  try {
    const url = await resolveTaskUrl({
      explicit: input.env.MEDIA_TASK_URL,
      ecsMetadataUri: input.env.ECS_CONTAINER_METADATA_URI_V4,
      stage: input.env.STAGE,
      port: input.port,
    });
    if (!url) return undefined;
    await registerMediaTask(input.db, { taskId: input.taskId, url });
    input.logger.info('media task announced', { taskId: input.taskId, url });
    return url;
  } catch (error) {
    input.logger.warn('media task not announced; relayed commands will not reach it', { err: error });
    return undefined;
  }
}
