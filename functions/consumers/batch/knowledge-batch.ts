import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { z } from 'zod';
import type { Logger } from '#shared/logging/logger.ts';
import { deadLetterQueue } from './dead-letter.ts';
import { isPermanent } from './process-batch.ts';
import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The knowledge queues' batch loop: each message on its own, invalid or permanently failing
 * messages to the DLQ at once, anything else that throws left for redelivery (SQS redrives it
 * after maxReceiveCount). Retries of pages are new delayed messages sent by the handler, so a
 * message that returns has been fully handled.
 */
export async function processKnowledgeBatch<S extends z.ZodType>(
  event: SQSEvent,
  options: {
    queueId: string;
    queueUrl: string | undefined;
    sqs: SQSClient;
    logger: Logger;
    schema: S;
    handle(message: z.output<S>, context: { attempt: number; logger: Logger }): Promise<string>;
  },
): Promise<SQSBatchResponse> {
  const dlq = options.queueUrl ? deadLetterQueue(options.sqs, options.queueUrl) : undefined;
  const failures = await Promise.all(
    event.Records.map(async (record): Promise<string | undefined> => {
      const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
      const logger = options.logger.child({ queue: options.queueId, messageId: record.messageId, attempt });
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        body = undefined;
      }
      const parsed = options.schema.safeParse(body);
      let deadReason: string | undefined;
      if (!parsed.success) deadReason = 'invalid_message';
      else {
        try {
          const note = await options.handle(parsed.data, { attempt, logger });
          logger.debug('message processed', { note });
          return undefined;
        } catch (error) {
          logger.warn('message failed', { err: error });
          if (!isPermanent(error)) return record.messageId;
          deadReason = error instanceof Error ? error.message : 'error';
        }
      }
      if (!dlq) return record.messageId;
      try {
        await dlq.send(record.body, deadReason);
        // Parked on purpose (no retry can fix it); the DLQ alarm calls for a look.
        logger.warn('message moved to the dead-letter queue', { reason: deadReason });
        return undefined;
      } catch {
        return record.messageId;
      }
    }),
  );
  return {
    batchItemFailures: failures.filter((id): id is string => !!id).map((id) => ({ itemIdentifier: id })),
  };
}
