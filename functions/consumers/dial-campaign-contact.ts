import type { SQSEvent } from 'aws-lambda';
import { type DialCommand, DialCommandSchema } from '#shared/campaigns/campaign-messages.ts';
import { dialContact } from '#shared/campaigns/dial-contact.ts';
import { env } from '#shared/config/env.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { exponentialDelaySeconds } from '#shared/webhooks/retry-schedule.ts';
import { callDepsFromEnv } from '../lib/call-deps.ts';
import { type MessageContext, type Outcome, processBatch } from './batch/process-batch.ts';

const logger = createLogger({ context: { service: 'dial-campaign-contact' } });

async function dialOne(command: DialCommand, { logger: log }: MessageContext): Promise<Outcome> {
  const result = await dialContact(await callDepsFromEnv(), command, log);
  return { kind: 'done', note: result };
}

/**
 * Campaign dial queue consumer: places the call of each claimed contact through the same use case
 * as POST /v1/calls. Duplicate and stale commands are recognised by the contact's dial token and
 * dropped, so a redelivery never places a second call.
 */
export const handler = async (event: SQSEvent) =>
  processBatch<DialCommand>(event, {
    queueId: 'campaignDials',
    queueUrl: queueUrlsFromEnv().campaignDials,
    sqs: sqsFromEnv(),
    logger,
    schema: DialCommandSchema,
    handle: dialOne,
    retryDelaySeconds: (attempt) => exponentialDelaySeconds(attempt, env().CONSUMER_RETRY_BASE_SECONDS),
  });
