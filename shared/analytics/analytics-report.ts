import { ROLLUP_SEPARATOR } from './analytics-buckets.ts';
import { AN, type Dimension, dimension, sumCounters } from './analytics-counters.ts';
import type { Granularity, ResolvedRange } from './analytics-query.ts';
import type { Counters } from './analytics-reads.ts';
import { BUCKET_ERROR, type HistogramName, histogramOf, percentileMs } from './latency-histogram.ts';
import { METRICS } from './metrics.ts';
import { daysBetween, weekStart } from './time-zones.ts';

/** Pure presenters: summed counters → the analytics API's JSON. */

const c = (k: Counters, name: string) => k[name] ?? 0;

/** `{value: count}` of one per-value counter family. */
export function breakdown(k: Counters, name: Dimension): Record<string, number> {
  const prefix = `${name}#`;
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(k))
    if (key.startsWith(prefix) && value) out[key.slice(prefix.length)] = value;
  return out;
}

function latency(k: Counters, name: HistogramName) {
  const buckets = histogramOf(name, k);
  return {
    p50: percentileMs(buckets, 0.5),
    p90: percentileMs(buckets, 0.9),
    p99: percentileMs(buckets, 0.99),
    count: buckets.reduce((a, b) => a + b, 0),
  };
}

export function qaDistribution(k: Counters) {
  return Array.from({ length: 10 }, (_, i) => ({
    from: i * 10,
    to: i === 9 ? 100 : i * 10 + 9,
    count: c(k, dimension('qa', String(i))),
  }));
}

export function presentSummary(range: ResolvedRange, k: Counters, agentId?: string) {
  const m = (name: string) => METRICS[name]?.(k) ?? null;
  const sentiment = breakdown(k, 'sentiment');
  return {
    range: { from: range.from, to: range.to, timezone: range.timeZone, ...(agentId ? { agentId } : {}) },
    totals: {
      calls: c(k, AN.calls),
      answered: c(k, AN.answered),
      completed: c(k, AN.completed),
      failed: c(k, AN.failed),
      failedByReason: breakdown(k, 'failure'),
      minutes: m('minutes'),
      billableMinutes: m('billable_minutes'),
      cost: m('cost'),
      currency: 'usd',
    },
    rates: {
      answer: m('answer_rate'),
      completion: m('completion_rate'),
      escalation: m('escalation_rate'),
      transfer: m('transfer_rate'),
      outboundAnswer: m('outbound_answer_rate'),
    },
    durations: {
      totalSeconds: c(k, AN.connectedSeconds),
      averageSeconds: m('avg_duration'),
      billableSeconds: c(k, AN.billableSeconds),
    },
    volume: {
      byStatus: breakdown(k, 'status'),
      byEndReason: breakdown(k, 'endReason'),
      byDirection: breakdown(k, 'direction'),
      byProvider: breakdown(k, 'provider'),
      outbound: { answered: c(k, AN.outboundAnswered), unanswered: c(k, AN.outboundUnanswered) },
      escalations: c(k, AN.escalations),
      escalatedCalls: c(k, AN.escalatedCalls),
      transfers: c(k, AN.transfers),
      voicemails: c(k, AN.voicemails),
      toolCalls: c(k, AN.toolCalls),
      toolCallsByTool: breakdown(k, 'tool'),
      bargeIns: c(k, AN.bargeIns),
      modelReconnects: c(k, AN.modelReconnects),
      resumedCalls: c(k, AN.resumedCalls),
      resumes: c(k, AN.resumes),
    },
    qa: { average: m('qa_avg'), scored: c(k, AN.qaScored), distribution: qaDistribution(k) },
    sentiment: {
      positive: sentiment.positive ?? 0,
      neutral: sentiment.neutral ?? 0,
      negative: sentiment.negative ?? 0,
      mixed: sentiment.mixed ?? 0,
    },
    latency: {
      firstAudio: latency(k, 'firstAudio'),
      response: latency(k, 'response'),
      bargeIn: latency(k, 'bargeIn'),
      unit: 'ms',
      bucketError: BUCKET_ERROR,
    },
  };
}

/** The period a local day falls in at a granularity (`2026-11-22`, week's Monday, `2026-11`). */
export function periodOfDay(day: string, granularity: Exclude<Granularity, 'hour'>): string {
  if (granularity === 'week') return weekStart(day);
  if (granularity === 'month') return day.slice(0, 7);
  return day;
}

/** A zero-filled series from per-day counters: one point per period touching the range. */
export function seriesFromDays(
  metric: (k: Counters) => number | null,
  granularity: Exclude<Granularity, 'hour'>,
  range: ResolvedRange,
  days: Map<string, Counters>,
): { start: string; value: number | null }[] {
  const grouped = new Map<string, Counters[]>();
  for (const day of daysBetween(range.from, range.to)) {
    const period = periodOfDay(day, granularity);
    const list = grouped.get(period) ?? [];
    const counters = days.get(day);
    if (counters) list.push(counters);
    grouped.set(period, list);
  }
  return [...grouped].map(([start, list]) => ({ start, value: metric(sumCounters(list)) }));
}

export function seriesFromHours(
  metric: (k: Counters) => number | null,
  hours: string[],
  counters: Map<string, Counters>,
): { start: string; value: number | null }[] {
  return hours.map((hour) => ({ start: `${hour}:00:00Z`, value: metric(counters.get(hour) ?? {}) }));
}

export interface AgentRow {
  agentId: string;
  calls: number;
  answered: number;
  minutes: number;
  answerRate: number;
  completionRate: number;
  escalationRate: number;
  qaAverage: number | null;
  latencyP90: number | null;
  responseLatencyP90: number | null;
  cost: number;
}

/** One row per agent from summed roll-up counters (`agt_…|calls`). */
export function agentRows(rollup: Counters): AgentRow[] {
  const byAgent = new Map<string, Counters>();
  for (const [key, value] of Object.entries(rollup)) {
    const at = key.indexOf(ROLLUP_SEPARATOR);
    if (at <= 0) continue;
    const agentId = key.slice(0, at);
    const counters = byAgent.get(agentId) ?? {};
    counters[key.slice(at + 1)] = value;
    byAgent.set(agentId, counters);
  }
  return [...byAgent].map(([agentId, k]) => ({
    agentId,
    calls: c(k, AN.calls),
    answered: c(k, AN.answered),
    minutes: METRICS.minutes?.(k) ?? 0,
    answerRate: METRICS.answer_rate?.(k) ?? 0,
    completionRate: METRICS.completion_rate?.(k) ?? 0,
    escalationRate: METRICS.escalation_rate?.(k) ?? 0,
    qaAverage: METRICS.qa_avg?.(k) ?? null,
    latencyP90: METRICS.latency_p90?.(k) ?? null,
    responseLatencyP90: METRICS.response_latency_p90?.(k) ?? null,
    cost: METRICS.cost?.(k) ?? 0,
  }));
}

/** Sorts rows by a column; nulls last whatever the order; ties by agent id. */
export function sortAgentRows(rows: AgentRow[], sort: keyof AgentRow, order: 'asc' | 'desc'): AgentRow[] {
  const sign = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[sort];
    const y = b[sort];
    if (x === null && y !== null) return 1;
    if (y === null && x !== null) return -1;
    if (x !== y && x !== null && y !== null) return (x < y ? -1 : 1) * sign;
    return a.agentId < b.agentId ? -1 : 1;
  });
}
