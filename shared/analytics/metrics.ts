import { AN, type Dimension, dimension } from './analytics-counters.ts';
import { type HistogramName, histogramOf, percentileMs } from './latency-histogram.ts';

type Counters = Record<string, number>;

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : 0);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const c = (counters: Counters, name: string) => counters[name] ?? 0;
const percentile = (name: HistogramName, p: number) => (k: Counters) => percentileMs(histogramOf(name, k), p);

/**
 * Every timeseries metric: a function of one period's summed counters. Counter metrics sum, rates
 * and averages are recomputed from the sums (never averaged across periods), percentiles come from
 * the summed histogram buckets.
 */
export const METRICS: Readonly<Record<string, (k: Counters) => number | null>> = {
  calls: (k) => c(k, AN.calls),
  answered: (k) => c(k, AN.answered),
  unanswered: (k) => c(k, AN.unanswered),
  completed: (k) => c(k, AN.completed),
  failed: (k) => c(k, AN.failed),
  minutes: (k) => round(c(k, AN.connectedSeconds) / 60),
  billable_minutes: (k) => round(c(k, AN.billableSeconds) / 60),
  connected_seconds: (k) => c(k, AN.connectedSeconds),
  cost: (k) => round(c(k, AN.chargeMicros) / 1e6, 6),
  escalations: (k) => c(k, AN.escalations),
  escalated_calls: (k) => c(k, AN.escalatedCalls),
  transfers: (k) => c(k, AN.transfers),
  recorded_calls: (k) => c(k, AN.recordedCalls),
  voicemails: (k) => c(k, AN.voicemails),
  tool_calls: (k) => c(k, AN.toolCalls),
  barge_ins: (k) => c(k, AN.bargeIns),
  model_reconnects: (k) => c(k, AN.modelReconnects),
  resumed_calls: (k) => c(k, AN.resumedCalls),
  outbound_answered: (k) => c(k, AN.outboundAnswered),
  outbound_unanswered: (k) => c(k, AN.outboundUnanswered),
  summarized: (k) => c(k, AN.summarized),
  qa_scored: (k) => c(k, AN.qaScored),
  answer_rate: (k) => ratio(c(k, AN.answered), c(k, AN.calls)),
  completion_rate: (k) => ratio(c(k, AN.completed), c(k, AN.calls)),
  escalation_rate: (k) => ratio(c(k, AN.escalatedCalls), c(k, AN.calls)),
  transfer_rate: (k) => ratio(c(k, AN.transfers), c(k, AN.calls)),
  outbound_answer_rate: (k) =>
    ratio(c(k, AN.outboundAnswered), c(k, AN.outboundAnswered) + c(k, AN.outboundUnanswered)),
  avg_duration: (k) => (c(k, AN.answered) > 0 ? round(c(k, AN.connectedSeconds) / c(k, AN.answered), 1) : 0),
  qa_avg: (k) => (c(k, AN.qaScored) > 0 ? round(c(k, AN.qaScoreSum) / c(k, AN.qaScored), 1) : null),
  latency_p50: percentile('firstAudio', 0.5),
  latency_p90: percentile('firstAudio', 0.9),
  latency_p99: percentile('firstAudio', 0.99),
  response_latency_p50: percentile('response', 0.5),
  response_latency_p90: percentile('response', 0.9),
  response_latency_p99: percentile('response', 0.99),
  barge_in_p50: percentile('bargeIn', 0.5),
  barge_in_p90: percentile('bargeIn', 0.9),
  barge_in_p99: percentile('bargeIn', 0.99),
};

/** Metric prefixes for per-value counters: `status:completed`, `tool:book_appointment`, `qa_bucket:8`. */
export const DIMENSION_METRICS: Readonly<Record<string, Dimension>> = {
  status: 'status',
  end_reason: 'endReason',
  direction: 'direction',
  provider: 'provider',
  failure: 'failure',
  tool: 'tool',
  sentiment: 'sentiment',
  qa_bucket: 'qa',
  transfer: 'transfer',
};

export const METRIC_NAMES = Object.keys(METRICS);
const DIMENSION_PATTERN = new RegExp(`^(${Object.keys(DIMENSION_METRICS).join('|')}):([A-Za-z0-9_-]{1,64})$`);

/** The value function of a metric name, or undefined for an unknown one. */
export function metricFunction(name: string): ((k: Counters) => number | null) | undefined {
  if (Object.hasOwn(METRICS, name)) return METRICS[name];
  const match = DIMENSION_PATTERN.exec(name);
  if (!match) return undefined;
  const counter = dimension(DIMENSION_METRICS[match[1] as string] as Dimension, match[2] as string);
  return (k) => c(k, counter);
}
