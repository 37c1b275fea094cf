import { z } from 'zod';
import type { ApiOperation } from '../api/openapi/operation-types.ts';
import { CreateExportBodySchema, ExportSchema } from '../exports/export-api.ts';
import {
  AgentsQuerySchema,
  AnalyticsRangeQuerySchema,
  QaQuerySchema,
  TimeseriesQuerySchema,
} from './analytics-query.ts';
import { BackfillSchema, CreateBackfillBodySchema } from './backfill-api.ts';

/**
 * Response contracts of the analytics and export routes and their OpenAPI operations. Tests parse
 * real responses with these strict schemas, so the documented shapes and the served ones agree.
 */
const count = z.number().int().nonnegative();
const rate = z.number().min(0).max(1).describe('0–1.');
const ms = z.number().int().nonnegative().nullable().describe('Milliseconds; null without data.');
const tally = z.record(z.string(), count);

const RangeSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  agentId: z.string().optional(),
});

const LatencySchema = z.strictObject({ p50: ms, p90: ms, p99: ms, count });

const QaDistributionSchema = z
  .array(z.strictObject({ from: count, to: count, count }))
  .describe('Ten buckets of 10 points (the last is 90–100).');

export const AnalyticsSummarySchema = z.strictObject({
  range: RangeSchema,
  totals: z.strictObject({
    calls: count,
    answered: count,
    completed: count,
    failed: count,
    failedByReason: tally,
    minutes: z.number().nonnegative().describe('Connected minutes.'),
    billableMinutes: z.number().nonnegative(),
    cost: z.number().nonnegative().describe('Charged, in `currency`.'),
    currency: z.literal('usd'),
  }),
  rates: z.strictObject({
    answer: rate,
    completion: rate,
    escalation: rate,
    transfer: rate,
    outboundAnswer: rate,
  }),
  durations: z.strictObject({
    totalSeconds: count,
    averageSeconds: z.number().nonnegative(),
    billableSeconds: count,
  }),
  volume: z.strictObject({
    byStatus: tally,
    byEndReason: tally,
    byDirection: tally,
    byProvider: tally,
    outbound: z.strictObject({ answered: count, unanswered: count }),
    escalations: count,
    escalatedCalls: count,
    transfers: count,
    toolCalls: count,
    toolCallsByTool: tally,
    bargeIns: count,
    modelReconnects: count,
    resumedCalls: count,
    resumes: count,
  }),
  qa: z.strictObject({ average: z.number().nullable(), scored: count, distribution: QaDistributionSchema }),
  sentiment: z.strictObject({ positive: count, neutral: count, negative: count, mixed: count }),
  latency: z.strictObject({
    firstAudio: LatencySchema,
    response: LatencySchema,
    bargeIn: LatencySchema,
    unit: z.literal('ms'),
    bucketError: z
      .number()
      .describe('Largest relative error of a percentile read from the histogram buckets.'),
  }),
});

export const TimeseriesSchema = z.strictObject({
  metric: z.string(),
  granularity: z.enum(['hour', 'day', 'week', 'month']),
  range: RangeSchema,
  points: z.array(
    z.strictObject({
      start: z.string().describe("Period start: an ISO hour (UTC), a day, a week's Monday or a month."),
      value: z.number().nullable().describe('Null for averages and percentiles of a period without data.'),
    }),
  ),
});

export const AgentsTableSchema = z.strictObject({
  range: RangeSchema,
  sort: z.string(),
  order: z.enum(['asc', 'desc']),
  agents: z.array(
    z.strictObject({
      agentId: z.string(),
      calls: count,
      answered: count,
      minutes: z.number().nonnegative(),
      answerRate: rate,
      completionRate: rate,
      escalationRate: rate,
      qaAverage: z.number().nullable(),
      latencyP90: ms.describe('First agent audio, P90.'),
      responseLatencyP90: ms,
      cost: z.number().nonnegative(),
    }),
  ),
});

export const QaReportSchema = z.strictObject({
  range: RangeSchema,
  average: z.number().nullable(),
  scored: count,
  distribution: QaDistributionSchema,
  lowest: z.array(
    z.strictObject({
      callId: z.string(),
      agentId: z.string(),
      score: z.number(),
      reasons: z.array(z.string()),
      startedAt: z.string(),
    }),
  ),
});

const READ = ['validation_error', 'unauthorized', 'forbidden', 'rate_limited'] as const;
const CACHED = 'Carries `ETag` and `Cache-Control: private, max-age=60`; `If-None-Match` gets a 304.';

export const ANALYTICS_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'GET',
    path: '/v1/analytics/summary',
    operationId: 'getAnalyticsSummary',
    tag: 'Analytics',
    auth: 'apiKey',
    summary: 'Totals, rates, durations, QA, sentiment and latency percentiles for a date range',
    description: `Read from pre-aggregated counters (at most three DynamoDB Queries in the tenant's time zone). ${CACHED}`,
    query: AnalyticsRangeQuerySchema,
    success: { status: 200, description: 'The summary.', schema: AnalyticsSummarySchema },
    errors: [...READ],
  },
  {
    method: 'GET',
    path: '/v1/analytics/timeseries',
    operationId: 'getAnalyticsTimeseries',
    tag: 'Analytics',
    auth: 'apiKey',
    summary: 'One metric per hour, day, week or month; missing periods are zero-filled',
    description: `Hours are UTC; hourly series cover at most 31 days. ${CACHED}`,
    query: TimeseriesQuerySchema,
    success: { status: 200, description: 'The series.', schema: TimeseriesSchema },
    errors: [...READ],
  },
  {
    method: 'GET',
    path: '/v1/analytics/agents',
    operationId: 'listAnalyticsAgents',
    tag: 'Analytics',
    auth: 'apiKey',
    summary: 'One row per agent for the range, sortable',
    description: CACHED,
    query: AgentsQuerySchema,
    success: { status: 200, description: 'The agents table.', schema: AgentsTableSchema },
    errors: [...READ],
  },
  {
    method: 'GET',
    path: '/v1/analytics/qa',
    operationId: 'getAnalyticsQa',
    tag: 'Analytics',
    auth: 'apiKey',
    summary: 'QA score distribution and the lowest-scored calls of the range',
    description: `The lowest-scored calls come from a QA index sorted by score (no scan). ${CACHED}`,
    query: QaQuerySchema,
    success: { status: 200, description: 'The QA report.', schema: QaReportSchema },
    errors: [...READ],
  },
  {
    method: 'POST',
    path: '/v1/analytics/backfills',
    operationId: 'createAnalyticsBackfill',
    tag: 'Analytics',
    auth: 'admin',
    summary: "Rebuild a tenant's counters for a date range from stored calls (platform admin)",
    description: 'Runs day by day and resumes after a crash; poll the returned backfill.',
    body: CreateBackfillBodySchema,
    success: {
      status: 202,
      description: 'The queued backfill.',
      schema: z.strictObject({ backfill: BackfillSchema }),
    },
    errors: ['validation_error', 'unauthorized', 'not_found', 'rate_limited', 'unavailable'],
  },
  {
    method: 'GET',
    path: '/v1/analytics/backfills/{id}',
    operationId: 'getAnalyticsBackfill',
    tag: 'Analytics',
    auth: 'admin',
    summary: "A backfill's progress (platform admin)",
    success: {
      status: 200,
      description: 'The backfill.',
      schema: z.strictObject({ backfill: BackfillSchema }),
    },
    errors: ['unauthorized', 'not_found', 'rate_limited'],
  },
  {
    method: 'POST',
    path: '/v1/exports',
    operationId: 'createExport',
    tag: 'Exports',
    auth: 'apiKey',
    summary: "Export a range's calls as CSV or JSON Lines",
    description:
      'Streams to S3 in the background; `export.completed` is sent to the webhook. CSV follows RFC 4180 and neutralises cells that spreadsheets would run as formulas.',
    body: CreateExportBodySchema,
    success: {
      status: 202,
      description: 'The queued export.',
      schema: z.strictObject({ export: ExportSchema }),
    },
    errors: ['validation_error', 'unauthorized', 'forbidden', 'rate_limited', 'unavailable'],
  },
  {
    method: 'GET',
    path: '/v1/exports/{id}',
    operationId: 'getExport',
    tag: 'Exports',
    auth: 'apiKey',
    summary: "An export's progress and, once completed, a short-lived download URL",
    success: { status: 200, description: 'The export.', schema: z.strictObject({ export: ExportSchema }) },
    errors: ['unauthorized', 'forbidden', 'not_found', 'rate_limited'],
  },
];
