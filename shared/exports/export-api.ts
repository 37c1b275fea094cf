import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { z } from 'zod';
import { resolveRange } from '../analytics/analytics-query.ts';
import { rangeCounters } from '../analytics/analytics-reads.ts';
import { AN } from '../analytics/analytics-counters.ts';
import type { Db } from '../data/client.ts';
import { getCampaign, getContactCounts } from '../campaigns/campaign-store.ts';
import { NotFoundError, UnavailableError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import { queueExportJob } from '../queues/job-publisher.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import type { CreateExportBodySchema, ExportSchema } from './export-schemas.ts';
import { createExportJob, type ExportJob } from './export-store.ts';

/** Creates the job (expected rows from the counters: one Query or three) and queues it. */
export async function startExport(
  deps: { db: Db; sqs: SQSClient; queueUrls: QueueUrls; bucket: string },
  input: { tenantId: string; tenantTimeZone: string; body: z.output<typeof CreateExportBodySchema> },
): Promise<ExportJob> {
  if (!deps.queueUrls.exports) throw new UnavailableError('The export queue is not configured.');
  const id = newId('export');
  const ext = input.body.format === 'csv' ? 'csv' : 'jsonl';
  const common = {
    id,
    tenantId: input.tenantId,
    bucket: deps.bucket,
    format: input.body.format,
    status: 'queued' as const,
    rowsWritten: 0,
    createdAt: new Date().toISOString(),
  };
  let job: ExportJob;
  if (input.body.type === 'campaign_contacts') {
    const { campaignId, filters } = input.body;
    const campaign = await getCampaign(deps.db, input.tenantId, campaignId);
    if (!campaign) throw new NotFoundError('Campaign not found.');
    const counts = await getContactCounts(deps.db, campaignId);
    job = {
      ...common,
      dataset: 'campaign_contacts',
      timezone: campaign.timezone ?? 'UTC',
      filters: { campaignId, ...(filters.state ? { state: filters.state } : {}) },
      rowsExpected: filters.state ? counts[filters.state] : Object.values(counts).reduce((a, b) => a + b, 0),
      objectKey: `exports/${input.tenantId}/${id}/campaign-${campaignId}-contacts.${ext}`,
    };
  } else {
    const body = input.body;
    const range = resolveRange(body, input.tenantTimeZone);
    const scope = body.filters.agentId
      ? ({ kind: 'agent', agentId: body.filters.agentId } as const)
      : ({ kind: 'tenant' } as const);
    const counters = await rangeCounters(deps.db, input.tenantId, scope, range, { requests: 0 });
    job = {
      ...common,
      dataset: 'calls',
      from: range.from,
      to: range.to,
      timezone: range.timeZone,
      filters: body.filters,
      rowsExpected: counters[AN.calls] ?? 0,
      objectKey: `exports/${input.tenantId}/${id}/calls-${range.from}-${range.to}.${ext}`,
    };
  }
  await createExportJob(deps.db, job);
  await queueExportJob(deps.sqs, deps.queueUrls, {
    schemaVersion: 1,
    type: 'export.run',
    tenantId: job.tenantId,
    exportId: id,
  });
  return job;
}

/** The API view of a job; a completed one gets a presigned URL valid for `urlTtlSeconds`. */
export async function presentExport(
  job: ExportJob,
  deps: { s3: S3Client; urlTtlSeconds: number; now?: Date },
): Promise<z.output<typeof ExportSchema>> {
  const base = {
    id: job.id,
    type: job.dataset,
    format: job.format,
    ...(job.from ? { from: job.from, to: job.to } : {}),
    ...(job.filters.campaignId ? { campaignId: job.filters.campaignId } : {}),
    timezone: job.timezone,
    status: job.status,
    rowsWritten: job.rowsWritten,
    percent: job.status === 'completed' ? 100 : (job.percent ?? 0),
    etaSeconds: job.status === 'completed' ? 0 : (job.etaSeconds ?? null),
    createdAt: job.createdAt,
    ...(job.completedAt ? { completedAt: job.completedAt } : {}),
    ...(job.objectExpiresAt ? { objectExpiresAt: job.objectExpiresAt } : {}),
    ...(job.error ? { error: job.error } : {}),
  };
  if (job.status !== 'completed') return base;
  const now = deps.now ?? new Date();
  const url = await getSignedUrl(deps.s3, new GetObjectCommand({ Bucket: job.bucket, Key: job.objectKey }), {
    expiresIn: deps.urlTtlSeconds,
    signingDate: now,
  });
  return { ...base, url, expiresAt: new Date(now.getTime() + deps.urlTtlSeconds * 1000).toISOString() };
}
