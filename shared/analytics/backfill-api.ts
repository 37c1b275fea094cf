import type { SQSClient } from '@aws-sdk/client-sqs';
import type { z } from 'zod';
import type { Db } from '../data/client.ts';
import { getTenant } from '../data/tenants.ts';
import { NotFoundError, UnavailableError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import { queueBackfillJob } from '../queues/job-publisher.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import { resolveRange } from './analytics-query.ts';
import type { CreateBackfillBodySchema } from './backfill-schemas.ts';
import { type BackfillJob, createBackfillJob } from './backfill-store.ts';
import { timeZoneOf } from './call-analytics.ts';
import { monthsOf } from './run-backfill.ts';
import { dayCount } from './time-zones.ts';

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
