import { sweepLostCalls } from '#shared/calls/sweep-lost-calls.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';

const logger = createLogger({ context: { service: 'sweep-lost-calls' } });

/**
 * Scheduled every minute: finalises calls whose media was lost (a closed browser tab, a dead media
 * task) and that no task resumed, found through an index by due time, never a scan.
 */
export const handler = async (): Promise<{ ended: number; alive: number; failed: number }> => {
  const result = await sweepLostCalls({
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    logger,
    publishTimeoutMs: env().SQS_PUBLISH_TIMEOUT_MS,
  });
  if (result.ended || result.failed) logger.info('lost-call sweep finished', result);
  return result;
};
