import { z } from 'zod';

/**
 * The HTTP contract of analytics backfills, apart from the use cases in `backfill-api.ts` so the
 * API description loads no storage client.
 */

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
