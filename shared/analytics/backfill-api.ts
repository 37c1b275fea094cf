import type { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { Db } from '../data/client.ts';
import { getTenant } from '../data/tenants.ts';
import { NotFoundError, UnavailableError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import { queueBackfillJob } from '../queues/job-publisher.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import { resolveRange } from './analytics-query.ts';
import { type BackfillJob, createBackfillJob } from './backfill-store.ts';
import { timeZoneOf } from './call-analytics.ts';
import { monthsOf } from './run-backfill.ts';
import { dayCount } from './time-zones.ts';

export const CreateBackfillBodySchema = z.strictObject({
  tenantId: z
    .string()
    .regex(/^ten_[A-Za-z0-9]{1,64}$/, 'must be a tenant id (ten_…)')
    .describe('The tenant whose counters are rebuilt (`ten_…`).'),
  from: z.iso.date().describe("First day (the tenant's time zone), inclusive."),
  to: z.iso.date().describe('Last day, inclusive.'),
});

export const BackfillSchema = z.strictObject({
  id: z.string().describe('`bf_…`'),
  tenantId: z.string().describe('`ten_…`: the tenant whose counters are rebuilt.'),
  from: z.string().describe('First day, inclusive (YYYY-MM-DD in `timezone`).'),
  to: z.string().describe('Last day, inclusive (YYYY-MM-DD in `timezone`).'),
  timezone: z.string().describe("The tenant's IANA time zone, which the days are counted in."),
  status: z
    .enum(['queued', 'running', 'completed', 'failed'])
    .describe('`queued`, `running`, then `completed` or `failed` (see `error`); resumes after a crash.'),
  daysDone: z.number().int().nonnegative().describe('Days rebuilt so far.'),
  daysTotal: z.number().int().nonnegative().describe('Days in the range.'),
  callsCounted: z.number().int().nonnegative().describe('Calls counted so far.'),
  percent: z.number().int().min(0).max(100).describe('Progress, 0–100.'),
  error: z.string().optional().describe('Why the backfill failed.'),
  createdAt: z.string().describe('When it was requested (ISO 8601).'),
  updatedAt: z.string().describe('Its last progress (ISO 8601).'),
  completedAt: z.string().optional().describe('When it finished (ISO 8601).'),
});

/** Creates a backfill of a tenant's days (in its time zone) and queues it. */
export async function startBackfill(
  deps: { db: Db; sqs: SQSClient; queueUrls: QueueUrls },
  body: z.output<typeof CreateBackfillBodySchema>,
): Promise<BackfillJob> {
  if (!deps.queueUrls.backfills) throw new UnavailableError('The backfill queue is not configured.');
  const tenant = await getTenant(deps.db, body.tenantId);
  if (!tenant) throw new NotFoundError('Tenant not found.');
  const range = resolveRange(body, timeZoneOf(tenant));
  const now = new Date().toISOString();
  const job: BackfillJob = {
    id: newId('backfill'),
    tenantId: tenant.id,
    from: range.from,
    to: range.to,
    timezone: range.timeZone,
    status: 'queued',
    nextDay: range.from,
    daysDone: 0,
    daysTotal: dayCount(range.from, range.to),
    months: monthsOf(range.from, range.to),
    monthsDone: 0,
    callsCounted: 0,
    createdAt: now,
    updatedAt: now,
  };
  await createBackfillJob(deps.db, job);
  await queueBackfillJob(deps.sqs, deps.queueUrls, {
    schemaVersion: 1,
    type: 'backfill.run',
    backfillId: job.id,
  });
  return job;
}
