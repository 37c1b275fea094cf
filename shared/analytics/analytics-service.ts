import type { z } from 'zod';
import type { Db } from '../data/client.ts';
import { ValidationError } from '../errors/app-error.ts';
import type { BucketScope } from './analytics-buckets.ts';
import {
  type AgentsQuerySchema,
  MAX_HOURLY_RANGE_DAYS,
  type QaQuerySchema,
  resolveRange,
  type TimeseriesQuerySchema,
  type AnalyticsRangeQuerySchema,
} from './analytics-query.ts';
import { dailyCounters, hourlyCounters, rangeCounters, type ReadStats } from './analytics-reads.ts';
import {
  agentRows,
  presentSummary,
  qaDistribution,
  seriesFromDays,
  seriesFromHours,
  sortAgentRows,
} from './analytics-report.ts';
import { AN } from './analytics-counters.ts';
import { DIMENSION_METRICS, METRIC_NAMES, metricFunction } from './metrics.ts';
import { lowestScoredCalls } from './qa-index.ts';
import { dayCount, startOfLocalDay, addDays } from './time-zones.ts';

/**
 * The analytics API's operations: resolve the range, read counters with a handful of Queries,
 * present. Each returns the DynamoDB requests it made (`stats`), which the bench reports.
 */
export interface AnalyticsContext {
  db: Db;
  tenantId: string;
  tenantTimeZone: string;
  now?: Date;
}

const scopeOf = (agentId: string | undefined): BucketScope =>
  agentId ? { kind: 'agent', agentId } : { kind: 'tenant' };

export async function analyticsSummary(
  ctx: AnalyticsContext,
  query: z.output<typeof AnalyticsRangeQuerySchema>,
) {
  const range = resolveRange(query, ctx.tenantTimeZone, ctx.now);
  const stats: ReadStats = { requests: 0 };
  const counters = await rangeCounters(ctx.db, ctx.tenantId, scopeOf(query.agentId), range, stats);
  return { body: presentSummary(range, counters, query.agentId), stats };
}

export async function analyticsTimeseries(
  ctx: AnalyticsContext,
  query: z.output<typeof TimeseriesQuerySchema>,
) {
  const metric = metricFunction(query.metric);
  if (!metric) {
    throw new ValidationError('The query is invalid.', {
      details: [
        {
          path: 'metric',
          message: `unknown metric; use one of ${METRIC_NAMES.join(', ')} or ${Object.keys(DIMENSION_METRICS)
            .map((d) => `${d}:<value>`)
            .join(', ')}`,
        },
      ],
    });
  }
  const range = resolveRange(query, ctx.tenantTimeZone, ctx.now);
  const stats: ReadStats = { requests: 0 };
  const scope = scopeOf(query.agentId);
  let points: { start: string; value: number | null }[];
  if (query.granularity === 'hour') {
    const days = dayCount(range.from, range.to);
    if (days > MAX_HOURLY_RANGE_DAYS) {
      throw new ValidationError('The query is invalid.', {
        details: [
          {
            path: 'granularity',
            message: `hour allows at most ${MAX_HOURLY_RANGE_DAYS} days (got ${days}); use day, week or month`,
          },
        ],
      });
    }
    const { hours, counters } = await hourlyCounters(ctx.db, ctx.tenantId, scope, range, stats);
    points = seriesFromHours(metric, hours, counters);
  } else {
    const days = await dailyCounters(ctx.db, ctx.tenantId, scope, range, stats);
    points = seriesFromDays(metric, query.granularity, range, days);
  }
  return {
    body: {
      metric: query.metric,
      granularity: query.granularity,
      range: {
        from: range.from,
        to: range.to,
        timezone: range.timeZone,
        ...(query.agentId ? { agentId: query.agentId } : {}),
      },
      points,
    },
    stats,
  };
}

export async function analyticsAgents(ctx: AnalyticsContext, query: z.output<typeof AgentsQuerySchema>) {
  const range = resolveRange(query, ctx.tenantTimeZone, ctx.now);
  const stats: ReadStats = { requests: 0 };
  const rollup = await rangeCounters(ctx.db, ctx.tenantId, { kind: 'rollup' }, range, stats);
  const rows = sortAgentRows(agentRows(rollup), query.sort, query.order);
  return {
    body: {
      range: { from: range.from, to: range.to, timezone: range.timeZone },
      sort: query.sort,
      order: query.order,
      agents: rows,
    },
    stats,
  };
}

export async function analyticsQa(ctx: AnalyticsContext, query: z.output<typeof QaQuerySchema>) {
  const range = resolveRange(query, ctx.tenantTimeZone, ctx.now);
  const stats: ReadStats = { requests: 0 };
  const fromMs = startOfLocalDay(range.from, range.timeZone);
  const toMs = startOfLocalDay(addDays(range.to, 1), range.timeZone);
  const [counters, lowest] = await Promise.all([
    // The lowest-scored calls take one request: the counters get the other two.
    rangeCounters(ctx.db, ctx.tenantId, scopeOf(query.agentId), range, stats, { fewestQueries: true }),
    lowestScoredCalls(ctx.db, ctx.tenantId, { fromMs, toMs, agentId: query.agentId, limit: query.limit }),
  ]);
  stats.requests += lowest.requests;
  const scored = counters[AN.qaScored] ?? 0;
  return {
    body: {
      range: {
        from: range.from,
        to: range.to,
        timezone: range.timeZone,
        ...(query.agentId ? { agentId: query.agentId } : {}),
      },
      average: scored > 0 ? Math.round(((counters[AN.qaScoreSum] ?? 0) / scored) * 10) / 10 : null,
      scored,
      distribution: qaDistribution(counters),
      lowest: lowest.entries.map((e) => ({
        callId: e.callId,
        agentId: e.agentId,
        score: e.score,
        reasons: e.reasons,
        startedAt: e.at,
      })),
    },
    stats,
  };
}
