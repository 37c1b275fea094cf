import type { CallStatus } from '#shared/calls/call-status.ts';
import { MEDIA_METRICS } from '#shared/metrics/media-metrics.ts';
import { type MetricsTarget, putMetrics } from './put-metric.ts';

export interface CallOutcomeMetric {
  /** Counts one ended call under its terminal status. */
  record(outcome: CallStatus): void;
  /** Ends the timer and sends what is still counted. */
  stop(): Promise<void>;
}

/**
 * Counts ended calls per outcome and sends the counts every `intervalMs` (one PutMetricData per
 * interval, however many calls ended). The call-failure-rate alarm and the outcomes widget read it.
 */
export function startCallOutcomeMetric(intervalMs: number, target: MetricsTarget): CallOutcomeMetric {
  let counts = new Map<CallStatus, number>();
  let chain: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (counts.size === 0) return chain;
    const batch = counts;
    counts = new Map();
    const timestamp = new Date();
    chain = chain.then(() =>
      putMetrics(
        target,
        [...batch].map(([outcome, count]) => ({
          MetricName: MEDIA_METRICS.callsEnded,
          Dimensions: [
            { Name: MEDIA_METRICS.stageDimension, Value: target.stage },
            { Name: MEDIA_METRICS.outcomeDimension, Value: outcome },
          ],
          Value: count,
          Unit: 'Count',
          Timestamp: timestamp,
        })),
      ),
    );
    return chain;
  };
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    record(outcome) {
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    },
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
