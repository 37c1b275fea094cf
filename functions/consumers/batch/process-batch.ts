import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { env } from '#shared/config/env.ts';
import { AppError } from '#shared/errors/app-error.ts';
import type { Logger } from '#shared/logging/logger.ts';
import {
  type ControlPlaneMetrics,
  createControlPlaneMetrics,
} from '#shared/metrics/control-plane-metrics.ts';
import { traceOfRecord } from '#shared/observability/queue-trace.ts';
import { runWithTrace } from '#shared/observability/trace-scope.ts';
import { type CallEvent, CallEventSchema } from '#shared/queues/contracts.ts';
import { decodeMessageBody } from '#shared/queues/message-body.ts';
import { traceMessage } from '../../lib/tracer.ts';
import { deadLetterQueue } from './dead-letter.ts';

/**
 * Only failures that say no retry can fix them (a model 400, a Stripe 4xx: `permanent: true`)
 * skip the retries; anything else (throttling, a transaction conflict, a crash) is retried and
 * reaches the DLQ through the redrive policy if it keeps failing.
 */
export function isPermanent(error: unknown): boolean {
  return error instanceof AppError && (error as AppError & { permanent?: boolean }).permanent === true;
}

/** What became of one message. */
export type Outcome =
  | { kind: 'done'; note?: string }
  | { kind: 'retry'; reason: string; delaySeconds?: number }
  | { kind: 'dead'; reason: string };

export interface MessageContext {
  record: SQSRecord;
  /** 1 on the first delivery (SQS ApproximateReceiveCount). */
  attempt: number;
  logger: Logger;
}

/** What every queue message has in common (call events and job messages alike). */
type QueueMessage = { type: string; tenantId?: string; eventId?: string; callId?: string };

export interface BatchOptions<M extends QueueMessage = CallEvent> {
  queueId: string;
  queueUrl: string | undefined;
  sqs: SQSClient;
  logger: Logger;
  handle: (message: M, context: MessageContext) => Promise<Outcome>;
  /** The message contract (call events unless the queue carries something else). */
  schema?: z.ZodType<M>;
  /** Delay before the next attempt after a retryable failure (0: the queue's visibility timeout). */
  retryDelaySeconds: (attempt: number) => number;
  /** Where outcome counts go; EMF records on the process's telemetry sink by default. */
  metrics?: ControlPlaneMetrics;
}

let defaultMetrics: ControlPlaneMetrics | undefined;
function metricsOf(options: Pick<BatchOptions<never>, 'metrics'>): ControlPlaneMetrics {
  if (options.metrics) return options.metrics;
  defaultMetrics ??= createControlPlaneMetrics(env().STAGE);
  return defaultMetrics;
}

/**
 * Runs one SQS batch the way every consumer must: each message on its own (a poison message never
 * fails the others), invalid messages and non-retryable failures straight to the dead-letter
 * queue, retryable failures reported in `batchItemFailures` with a backoff set through
 * ChangeMessageVisibility, and after maxReceiveCount failed receives SQS redrives to the DLQ.
 */
export async function processBatch<M extends QueueMessage = CallEvent>(
  event: SQSEvent,
  options: BatchOptions<M>,
): Promise<SQSBatchResponse> {
  const dlq = options.queueUrl ? deadLetterQueue(options.sqs, options.queueUrl) : undefined;
  const results = await Promise.all(
    // Each message runs in the trace of the request or call that sent it, so its log lines and
    // whatever it publishes carry that trace on.
    event.Records.map((record) =>
      runWithTrace(traceOfRecord(record), async () => {
        const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
        let logger = options.logger.child({ queue: options.queueId, messageId: record.messageId, attempt });
        let outcome: Outcome;
        let parsed: unknown;
        try {
          parsed = decodeMessageBody(record.body);
        } catch {
          parsed = undefined;
        }
        const message = (options.schema ?? (CallEventSchema as unknown as z.ZodType<M>)).safeParse(parsed);
        if (!message.success) {
          outcome = { kind: 'dead', reason: 'invalid_message' };
        } else {
          const { eventId, type, tenantId } = message.data;
          logger = logger.child({ eventId, type, tenantId, callId: message.data.callId });
          try {
            const context = { record, attempt, logger };
            outcome = await traceMessage(options.queueId, { callId: message.data.callId, tenantId }, () =>
              options.handle(message.data, context),
            );
          } catch (error) {
            const permanent = isPermanent(error);
            logger.warn('message failed', { err: error, permanent });
            outcome = permanent
              ? { kind: 'dead', reason: error instanceof Error ? error.message : 'error' }
              : { kind: 'retry', reason: error instanceof Error ? error.name : 'error' };
          }
        }
        const kept = await settle(record, attempt, outcome, logger, options, dlq);
        metricsOf(options).messageSettled(
          options.queueId,
          kept && outcome.kind === 'dead' ? 'retry' : outcome.kind,
        );
        return kept;
      }),
    ),
  );
  return {
    batchItemFailures: results
      .filter((id): id is string => id !== undefined)
      .map((id) => ({ itemIdentifier: id })),
  };
}

/** Applies an outcome; returns the message id when it must stay on the queue. */
async function settle(
  record: SQSRecord,
  attempt: number,
  outcome: Outcome,
  logger: Logger,
  options: Pick<BatchOptions<never>, 'queueId' | 'queueUrl' | 'sqs' | 'retryDelaySeconds' | 'metrics'>,
  dlq: ReturnType<typeof deadLetterQueue> | undefined,
): Promise<string | undefined> {
  if (outcome.kind === 'done') {
    logger.info('message processed', { note: outcome.note });
    return undefined;
  }
  if (outcome.kind === 'dead') {
    if (!dlq) {
      logger.error('message cannot be processed and no DLQ is known; left for redrive', {
        reason: outcome.reason,
      });
      return record.messageId;
    }
    try {
      await dlq.send(record.body, outcome.reason);
      metricsOf(options).deadLettered(options.queueId);
      // Parked on purpose (no retry can fix it); the DLQ alarm calls for a look.
      logger.warn('message moved to the dead-letter queue', { reason: outcome.reason });
      return undefined;
    } catch (error) {
      logger.error('moving to the dead-letter queue failed; left for redrive', { err: error });
      return record.messageId;
    }
  }
  const delay = outcome.delaySeconds ?? options.retryDelaySeconds(attempt);
  if (delay > 0 && options.queueUrl) {
    await options.sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: options.queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: delay,
        }),
      )
      .catch((error) => logger.warn('could not set the retry delay', { err: error }));
  }
  logger.warn('message will be retried', { reason: outcome.reason, delaySeconds: delay });
  return record.messageId;
}
