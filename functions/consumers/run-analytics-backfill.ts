import type { Context, SQSEvent } from 'aws-lambda';
import { getBackfillJob, saveBackfillProgress } from '#shared/analytics/backfill-store.ts';
import { runBackfill } from '#shared/analytics/run-backfill.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { QUEUES } from '#shared/queues/definitions.ts';
import { type BackfillJobMessage, BackfillJobMessageSchema } from '#shared/queues/job-contracts.ts';
import { queueBackfillJob } from '#shared/queues/job-publisher.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { exponentialDelaySeconds } from '#shared/webhooks/retry-schedule.ts';
import { type MessageContext, type Outcome, processBatch } from './batch/process-batch.ts';

const logger = createLogger({ context: { service: 'run-analytics-backfill' } });

/** Time left for work before the Lambda timeout, keeping a minute to save and hand over. */
const SAFETY_MS = 60_000;

function runner(remainingMs: () => number) {
  return async (message: BackfillJobMessage, { attempt, logger: log }: MessageContext): Promise<Outcome> => {
    const db = dbFromEnv();
    const job = await getBackfillJob(db, message.backfillId);
    if (!job) return { kind: 'dead', reason: 'backfill_not_found' };
    if (job.status === 'completed' || job.status === 'failed')
      return { kind: 'done', note: `already ${job.status}` };
    try {
      const state = await runBackfill(db, job, { budgetMs: Math.max(1_000, remainingMs() - SAFETY_MS) });
      if (state.status === 'running') {
        // Out of time: a fresh message continues from the saved position.
        await queueBackfillJob(sqsFromEnv(), queueUrlsFromEnv(), message);
        log.info('backfill continues', { backfillId: job.id, daysDone: state.daysDone });
        return { kind: 'done', note: 'continued in a new message' };
      }
      log.info('backfill completed', { backfillId: job.id, callsCounted: state.callsCounted });
      return { kind: 'done' };
    } catch (error) {
      if (attempt >= QUEUES.backfills.maxReceiveCount) {
        await saveBackfillProgress(db, job.id, {
          status: 'failed',
          error: error instanceof Error ? error.message.slice(0, 500) : 'backfill failed',
        });
        return { kind: 'dead', reason: 'backfill_failed' };
      }
      throw error;
    }
  };
}

/** Backfill queue consumer (Lambda): rebuilds counters day by day, resumable after any crash. */
export const handler = async (event: SQSEvent, context?: Context) =>
  processBatch(event, {
    queueId: 'backfills',
    queueUrl: queueUrlsFromEnv().backfills,
    sqs: sqsFromEnv(),
    logger,
    handle: runner(
      () => context?.getRemainingTimeInMillis?.() ?? QUEUES.backfills.consumerTimeoutSeconds * 1000,
    ),
    schema: BackfillJobMessageSchema,
    retryDelaySeconds: (attempt) => exponentialDelaySeconds(attempt, env().CONSUMER_RETRY_BASE_SECONDS),
  });
