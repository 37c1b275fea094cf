import { z } from 'zod';
import { type ApiOperation, apiGrants } from '../api/openapi/operation-types.ts';
import { CreateExportBodySchema, ExportSchema } from '../exports/export-schemas.ts';
import {
  AgentsQuerySchema,
  AnalyticsRangeQuerySchema,
  QaQuerySchema,
  TimeseriesQuerySchema,
} from './analytics-query.ts';
import { BackfillSchema, CreateBackfillBodySchema } from './backfill-schemas.ts';

/**
 * Response contracts of the analytics and export routes and their OpenAPI operations. Tests parse
 * real responses with these strict schemas, so the documented shapes and the served ones agree.
 */
const count = z.number().int().nonnegative();
const rate = z.number().min(0).max(1).describe('0–1.');
const ms = z.number().int().nonnegative().nullable().describe('Milliseconds; null without data.');
const tally = z.record(z.string(), count);
const qaAverage = z.number().nullable().describe('Average QA score, 0–100; null when no call was scored.');

const RangeSchema = z
  .strictObject({
    from: z.string().describe('First day, inclusive (YYYY-MM-DD in `timezone`).'),
    to: z.string().describe('Last day, inclusive (YYYY-MM-DD in `timezone`).'),
    timezone: z.string().describe('IANA time zone the days are counted in.'),
    agentId: z.string().optional().describe('The one agent the figures are for; absent for all agents.'),
  })
  .describe('The days the figures cover.');

const LatencySchema = z.strictObject({
  p50: ms,
  p90: ms,
  p99: ms,
  count: count.describe('Measurements the percentiles are read from.'),
});

const QaDistributionSchema = z
  .array(
    z.strictObject({
      from: count.describe('Lowest score of the bucket.'),
      to: count.describe('Highest score of the bucket, exclusive (100 inclusive for the last).'),
      count: count.describe('Calls scored in the bucket.'),
    }),
  )
  .describe('Ten buckets of 10 points (the last is 90–100).');

const exportGrants = apiGrants({ sendsTo: ['exports'], exportsBucket: 'readWrite' });

export const AnalyticsSummarySchema = z.strictObject({
  range: RangeSchema,
  totals: z
    .strictObject({
      calls: count.describe('Calls that started in the range, any status.'),
      answered: count.describe('Calls that connected (the agent was on the line).'),
      completed: count.describe('Calls that ended with status `completed`.'),
      failed: count.describe('Calls that ended with status `failed`.'),
      failedByReason: tally.describe('Failed calls by end reason (`model_error`, `media_error`…).'),
      minutes: z.number().nonnegative().describe('Connected minutes.'),
      billableMinutes: z
        .number()
        .nonnegative()
        .describe('Billed minutes (per-call minimum and rounding applied).'),
      cost: z.number().nonnegative().describe('Charged, in `currency`.'),
      currency: z.literal('usd').describe('Always `usd`.'),
    })
    .describe('Call counts, minutes and cost.'),
  rates: z
    .strictObject({
      answer: rate,
      completion: rate,
      escalation: rate,
      transfer: rate,
      outboundAnswer: rate,
    })
    .describe('Shares of calls, 0–1: answered, completed, escalated, transferred; outbound calls answered.'),
  durations: z
    .strictObject({
      totalSeconds: count.describe('Connected seconds of all calls.'),
      averageSeconds: z
        .number()
        .nonnegative()
        .describe('Connected seconds per answered call (0.1 s precision).'),
      billableSeconds: count.describe('Billed seconds of all calls.'),
    })
    .describe('How long calls lasted.'),
  volume: z
    .strictObject({
      byStatus: tally.describe('Calls by final status.'),
      byEndReason: tally.describe('Calls by end reason.'),
      byDirection: tally.describe('Calls by direction (`inbound`, `outbound`).'),
      byProvider: tally.describe('Calls by provider (`twilio`, `asterisk`, `web`).'),
      outbound: z
        .strictObject({
          answered: count.describe('Outbound calls someone picked up.'),
          unanswered: count.describe('Outbound calls that were busy, not answered or failed to connect.'),
        })
        .describe('Outbound calls by whether they were answered.'),
      escalations: count.describe('Escalations raised (a call can raise several).'),
      escalatedCalls: count.describe('Calls with at least one escalation.'),
      transfers: count.describe('Calls transferred to a person.'),
      voicemails: count.describe(
        'Outbound calls that reached an answering machine (end reason `voicemail`).',
      ),
      toolCalls: count.describe('Tool calls the agents made.'),
      toolCallsByTool: tally.describe('Tool calls by tool name.'),
      bargeIns: count.describe('Times callers spoke over the agent and cut it off.'),
      modelReconnects: count.describe('Model connections re-established during calls.'),
      resumedCalls: count.describe(
        'Calls that continued on another media task after theirs died or drained.',
      ),
      resumes: count.describe(
        'Times calls continued on another media task (a call can resume more than once).',
      ),
    })
    .describe('What happened on the calls, counted.'),
  qa: z
    .strictObject({
      average: qaAverage,
      scored: count.describe('Calls with a QA score.'),
      distribution: QaDistributionSchema,
    })
    .describe("QA scores from the calls' summaries."),
  sentiment: z
    .strictObject({
      positive: count.describe('Calls summarized as positive.'),
      neutral: count.describe('Calls summarized as neutral.'),
      negative: count.describe('Calls summarized as negative.'),
      mixed: count.describe('Calls summarized as mixed.'),
    })
    .describe("Callers' sentiment from the calls' summaries."),
  latency: z
    .strictObject({
      firstAudio: LatencySchema.describe('Call start to the first agent audio.'),
      response: LatencySchema.describe("The caller's end of speech to the agent's reply audio, per turn."),
      bargeIn: LatencySchema.describe("Caller speech detected to the agent's audio stopped."),
      unit: z.literal('ms').describe('Always `ms`.'),
      bucketError: z
        .number()
        .describe('Largest relative error of a percentile read from the histogram buckets.'),
    })
    .describe('Latency percentiles, read from histograms.'),
});

export const TimeseriesSchema = z.strictObject({
  metric: z.string().describe('The metric asked for.'),
  granularity: z.enum(['hour', 'day', 'week', 'month']).describe("Length of each point's period."),
  range: RangeSchema,
  points: z
    .array(
      z.strictObject({
        start: z.string().describe("Period start: an ISO hour (UTC), a day, a week's Monday or a month."),
        value: z.number().nullable().describe('Null for averages and percentiles of a period without data.'),
      }),
    )
    .describe('One point per period of the range, oldest first; periods without calls included.'),
});

export const AgentsTableSchema = z.strictObject({
  range: RangeSchema,
  sort: z.string().describe('The column the agents are sorted by.'),
  order: z.enum(['asc', 'desc']).describe('`asc` or `desc`.'),
  agents: z
    .array(
      z.strictObject({
        agentId: z.string().describe('`agt_…`'),
        calls: count.describe('Calls that started in the range.'),
        answered: count.describe('Calls that connected.'),
        minutes: z.number().nonnegative().describe('Connected minutes.'),
        answerRate: rate,
        completionRate: rate,
        escalationRate: rate,
        qaAverage,
        latencyP90: ms.describe('First agent audio, P90.'),
        responseLatencyP90: ms,
        cost: z.number().nonnegative().describe('Charged, in USD.'),
      }),
    )
    .describe('One row per agent with calls in the range.'),
});

export const QaReportSchema = z.strictObject({
  range: RangeSchema,
  average: qaAverage,
  scored: count.describe('Calls with a QA score.'),
  distribution: QaDistributionSchema,
  lowest: z
    .array(
      z.strictObject({
        callId: z.string().describe('`call_…`'),
        agentId: z.string().describe('`agt_…`'),
        score: z.number().describe('QA score, 0–100.'),
        reasons: z.array(z.string()).describe("The summary's reasons for the score."),
        startedAt: z.string().describe('When the call started (ISO 8601).'),
      }),
    )
    .describe('The lowest-scored calls, lowest first (up to `limit`).'),
});

const READ = ['validation_error', 'unauthorized', 'forbidden', 'rate_limited'] as const;
const CACHED = 'Carries `ETag` and `Cache-Control: private, max-age=60`; `If-None-Match` gets a 304.';

export const ANALYTICS_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'GET',
    path: '/v1/analytics/summary',
    operationId: 'getAnalyticsSummary',
    handler: 'get-analytics-summary',
    grants: apiGrants(),
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
    handler: 'get-analytics-timeseries',
    grants: apiGrants(),
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
    handler: 'list-analytics-agents',
    grants: apiGrants(),
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
    handler: 'get-analytics-qa',
    grants: apiGrants(),
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
    handler: 'create-analytics-backfill',
    grants: apiGrants({ sendsTo: ['backfills'] }),
    tag: 'Analytics',
    auth: 'admin',
    summary: "Rebuild a tenant's counters for a date range from stored calls (platform admin)",
    description: 'Runs day by day and resumes after a crash; poll the returned backfill.',
    body: CreateBackfillBodySchema,
    success: {
      status: 202,
      description: 'The queued backfill.',
      schema: z.strictObject({ backfill: BackfillSchema.describe('The backfill job and its progress.') }),
    },
    errors: ['validation_error', 'unauthorized', 'not_found', 'rate_limited', 'unavailable'],
  },
  {
    method: 'GET',
    path: '/v1/analytics/backfills/{id}',
    operationId: 'getAnalyticsBackfill',
    handler: 'get-analytics-backfill',
    grants: apiGrants(),
    tag: 'Analytics',
    auth: 'admin',
    summary: "A backfill's progress (platform admin)",
    success: {
      status: 200,
      description: 'The backfill.',
      schema: z.strictObject({ backfill: BackfillSchema.describe('The backfill job and its progress.') }),
    },
    errors: ['unauthorized', 'not_found', 'rate_limited'],
  },
  {
    method: 'POST',
    path: '/v1/exports',
    operationId: 'createExport',
    handler: 'create-export',
    grants: exportGrants,
    tag: 'Exports',
    auth: 'apiKey',
    summary: "Export a range's calls, or a campaign's contacts, as CSV or JSON Lines",
    description:
      "`type: calls` exports a range's calls; `type: campaign_contacts` a campaign's contacts with their state, attempts, last outcome, call ids and variables (404 for an unknown campaign). Streams to S3 in the background; `export.completed` is sent to the webhook. CSV follows RFC 4180 and neutralises cells that spreadsheets would run as formulas.",
    body: CreateExportBodySchema,
    success: {
      status: 202,
      description: 'The queued export.',
      schema: z.strictObject({ export: ExportSchema.describe('The export job and its progress.') }),
    },
    errors: ['validation_error', 'unauthorized', 'forbidden', 'not_found', 'rate_limited', 'unavailable'],
  },
  {
    method: 'GET',
    path: '/v1/exports/{id}',
    operationId: 'getExport',
    handler: 'get-export',
    grants: exportGrants,
    tag: 'Exports',
    auth: 'apiKey',
    summary: "An export's progress and, once completed, a short-lived download URL",
    success: {
      status: 200,
      description: 'The export.',
      schema: z.strictObject({ export: ExportSchema.describe('The export job and its progress.') }),
    },
    errors: ['unauthorized', 'forbidden', 'not_found', 'rate_limited'],
  },
];
