import { AbortMultipartUploadCommand } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { type ExportJob, getExportJob, updateExportJob } from '#shared/exports/export-store.ts';
import { runExport } from '#shared/exports/run-export.ts';
import { s3FromEnv } from '#shared/exports/s3-client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { QUEUES } from '#shared/queues/definitions.ts';
import { type ExportJobMessage, ExportJobMessageSchema } from '#shared/queues/job-contracts.ts';
import { publishExportCompleted } from '#shared/queues/job-publisher.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { exponentialDelaySeconds } from '#shared/webhooks/retry-schedule.ts';
import { isPermanent, type MessageContext, type Outcome, processBatch } from './batch/process-batch.ts';

const logger = createLogger({ context: { service: 'run-export' } });

/** Queues `export.completed` for the customer's webhook (a stable event id: resends deduplicate). */
async function announce(job: ExportJob, rowsWritten: number): Promise<void> {
  if (!queueUrlsFromEnv().webhooks) return;
  await publishExportCompleted(sqsFromEnv(), queueUrlsFromEnv(), {
    schemaVersion: 1,
    eventId: `evt_export_${job.id}`,
    occurredAt: new Date().toISOString(),
    type: 'export.completed',
    tenantId: job.tenantId,
    exportId: job.id,
    format: job.format,
    rowsWritten,
    ...(job.from ? { from: job.from, to: job.to } : {}),
    ...(job.filters.campaignId ? { campaignId: job.filters.campaignId } : {}),
  });
}

/** Marks the job failed (final) and drops its unfinished upload, so nothing is left half-done. */
async function fail(job: ExportJob, reason: string): Promise<void> {
  await updateExportJob(dbFromEnv(), job, {
    status: 'failed',
    error: reason.slice(0, 500),
    etaSeconds: null,
  });
  const current = await getExportJob(dbFromEnv(), job.tenantId, job.id);
  if (current?.uploadId) {
    await s3FromEnv()
      .send(
        new AbortMultipartUploadCommand({
          Bucket: job.bucket,
          Key: job.objectKey,
          UploadId: current.uploadId,
        }),
      )
      .catch(() => undefined);
  }
}

async function runOne(message: ExportJobMessage, { attempt, logger: log }: MessageContext): Promise<Outcome> {
  const db = dbFromEnv();
  const job = await getExportJob(db, message.tenantId, message.exportId);
  if (!job) return { kind: 'dead', reason: 'export_not_found' };
  if (job.status === 'completed' || job.status === 'failed')
    return { kind: 'done', note: `already ${job.status}` };
  try {
    const finished = await runExport({ db, s3: s3FromEnv() }, job);
    if (finished) {
      const done = await getExportJob(db, job.tenantId, job.id);
      await announce(job, done?.rowsWritten ?? 0);
      log.info('export completed', { exportId: job.id, rowsWritten: done?.rowsWritten });
    }
    return { kind: 'done' };
  } catch (error) {
    // The last delivery (or an error no retry can fix) fails the job instead of leaving it running.
    if (isPermanent(error) || attempt >= QUEUES.exports.maxReceiveCount) {
      log.error('export failed', { err: error, exportId: job.id, attempt });
      await fail(job, error instanceof Error ? error.message : 'export failed');
      return { kind: 'dead', reason: 'export_failed' };
    }
    throw error;
  }
}

/** Exports queue consumer (Lambda): one message → one export streamed to S3. */
export const handler = async (event: SQSEvent) =>
  processBatch(event, {
    queueId: 'exports',
    queueUrl: queueUrlsFromEnv().exports,
    sqs: sqsFromEnv(),
    logger,
    handle: runOne,
    schema: ExportJobMessageSchema,
    retryDelaySeconds: (attempt) => exponentialDelaySeconds(attempt, env().CONSUMER_RETRY_BASE_SECONDS),
  });
