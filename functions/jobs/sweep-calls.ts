import { sweepStreamTimeouts } from '#shared/calls/stream-timeouts.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { publishDeferredEvents } from '#shared/queues/durable-publish.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { twilioRestFromEnv } from '../lib/call-deps.ts';

const logger = createLogger({ context: { service: 'sweep-calls' } });

/**
 * Scheduled every minute: ends calls whose media stream never connected (their concurrency slots
 * come back) and re-publishes call events the queue did not take in time. Both read only due
 * items through an index, and both are idempotent, so overlapping runs are harmless.
 */
export const handler = async (): Promise<{ ended: number; published: number; stillDeferred: number }> => {
  const config = env();
  const deps = {
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    logger,
    publishTimeoutMs: config.SQS_PUBLISH_TIMEOUT_MS,
  };
  const twilio = () => twilioRestFromEnv({ timeoutMs: 5_000 });
  const streams = await sweepStreamTimeouts({ ...deps, twilio });
  const events = await publishDeferredEvents(deps);
  if (streams.ended || events.published || events.failed) {
    logger.info('sweep finished', { ...streams, published: events.published, stillDeferred: events.failed });
  }
  return { ended: streams.ended, published: events.published, stillDeferred: events.failed };
};
