import { z } from 'zod';
import { ValidationError } from '../errors/app-error.ts';
import { METRIC_NAMES, DIMENSION_METRICS } from './metrics.ts';
import { TimeZoneSchema } from './time-zone-schema.ts';
import { addDays, dayCount, isValidTimeZone, today } from './time-zones.ts';

export const MAX_RANGE_DAYS = 400;
export const MAX_HOURLY_RANGE_DAYS = 31;
export const GRANULARITIES = ['hour', 'day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const AGENT_SORTS = ['calls', 'minutes', 'answerRate', 'qaAverage', 'latencyP90', 'cost'] as const;

const DaySchema = z.iso.date().describe('A calendar date (YYYY-MM-DD) in `timezone`.');

/** Query parameters every analytics endpoint takes. `from`/`to` default to the last 30 days. */
export const AnalyticsRangeQuerySchema = z.strictObject({
  from: DaySchema.optional().describe('First day, inclusive (default: 29 days before `to`).'),
  to: DaySchema.optional().describe('Last day, inclusive (default: today in `timezone`).'),
  timezone: TimeZoneSchema.optional().describe("Time zone of the days (default: the tenant's)."),
  agentId: z
    .string()
    .regex(/^agt_[A-Za-z0-9]{1,64}$/, 'must be an agent id (agt_…)')
    .optional()
    .describe("Only this agent's calls (`agt_…`); all agents when absent."),
});

export const TimeseriesQuerySchema = AnalyticsRangeQuerySchema.extend({
  metric: z
    .string()
    .min(1)
    .max(100)
    .describe(
      `One of ${METRIC_NAMES.join(', ')}; or a per-value counter ${Object.keys(DIMENSION_METRICS)
        .map((d) => `${d}:<value>`)
        .join(', ')}.`,
    ),
  granularity: z
    .enum(GRANULARITIES)
    .default('day')
    .describe(
      `\`hour\` (ranges up to ${MAX_HOURLY_RANGE_DAYS} days), \`day\`, \`week\` or \`month\`; default \`day\`.`,
    ),
});

export const AgentsQuerySchema = AnalyticsRangeQuerySchema.omit({ agentId: true }).extend({
  sort: z
    .enum(AGENT_SORTS)
    .default('calls')
    .describe(`The column to sort by: ${AGENT_SORTS.map((s) => `\`${s}\``).join(', ')}; default \`calls\`.`),
  order: z.enum(['asc', 'desc']).default('desc').describe('`asc` or `desc` (default).'),
});

export const QaQuerySchema = AnalyticsRangeQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Lowest-scored calls to list.'),
});

/** A resolved date range: local days in a zone, and the instants they span. */
export interface ResolvedRange {
  from: string;
  to: string;
  timeZone: string;
  tenantTimeZone: string;
}

function fail(path: string, message: string): never {
  throw new ValidationError('The query is invalid.', { details: [{ path, message }] });
}

/**
 * Applies defaults and the cross-field rules (`from` ≤ `to`, at most 400 days) the schemas cannot
 * state alone; every failure names its field.
 */
export function resolveRange(
  query: { from?: string; to?: string; timezone?: string },
  tenantTimeZone: string,
  now = new Date(),
): ResolvedRange {
  const timeZone = query.timezone ?? (isValidTimeZone(tenantTimeZone) ? tenantTimeZone : 'UTC');
  const to = query.to ?? today(timeZone, now);
  const from = query.from ?? addDays(to, -29);
  if (from > to) fail('from', `must not be after to (${to})`);
  const days = dayCount(from, to);
  if (days > MAX_RANGE_DAYS) fail('to', `the range may span at most ${MAX_RANGE_DAYS} days (got ${days})`);
  return { from, to, timeZone, tenantTimeZone };
}
