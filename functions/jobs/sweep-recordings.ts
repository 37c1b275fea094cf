import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { recordingsFromEnv } from '#shared/recordings/recording-objects.ts';
import { sweepRecordings } from '#shared/recordings/sweep-recordings.ts';

const logger = createLogger({ context: { service: 'sweep-recordings' } });

/**
 * Scheduled every minute: completes (or aborts) the recordings of calls whose media task died, found
 * by their expired lease through an index, never a scan.
 */
export const handler = async (): Promise<{ completed: number; aborted: number; failed: number }> => {
  const result = await sweepRecordings({
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    logger,
    target: recordingsFromEnv(),
    publishTimeoutMs: env().SQS_PUBLISH_TIMEOUT_MS,
  });
  if (result.completed || result.aborted || result.failed) logger.info('recording sweep finished', result);
  return result;
};
