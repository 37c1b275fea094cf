import type { SQSEvent } from 'aws-lambda';
import { type ImportJobMessage, ImportJobMessageSchema } from '#shared/campaigns/campaign-messages.ts';
import { runImport } from '#shared/campaigns/run-import.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { s3FromEnv } from '#shared/exports/s3-client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { exponentialDelaySeconds } from '#shared/webhooks/retry-schedule.ts';
import { type MessageContext, type Outcome, processBatch } from './batch/process-batch.ts';

const logger = createLogger({ context: { service: 'run-contact-import' } });

async function runOne(message: ImportJobMessage, { logger: log }: MessageContext): Promise<Outcome> {
  const result = await runImport(
    { db: dbFromEnv(), s3: s3FromEnv(), logger: log },
    message.tenantId,
    message.importId,
  );
  return result === 'not_found'
    ? { kind: 'dead', reason: 'import_not_found' }
    : { kind: 'done', note: result };
}

/** CSV import consumer: one job per message; a crashed run is redelivered and resumes from its checkpoint. */
export const handler = async (event: SQSEvent) =>
  processBatch<ImportJobMessage>(event, {
    queueId: 'contactImports',
    queueUrl: queueUrlsFromEnv().contactImports,
    sqs: sqsFromEnv(),
    logger,
    schema: ImportJobMessageSchema,
    handle: runOne,
    retryDelaySeconds: (attempt) => exponentialDelaySeconds(attempt, env().CONSUMER_RETRY_BASE_SECONDS),
  });
