import { MEDIA_METRICS } from '#shared/metrics/media-metrics.ts';
import { type MetricsTarget, putMetrics } from './put-metric.ts';

/**
 * Publishes the live-call gauge of this task now and every `intervalMs` (60 s suits the
 * 1-minute autoscaling metric). Returns `stop`, which ends the timer and publishes one last
 * reading (0 after a drain), so the fleet average does not keep a stopped task's calls.
 */
export function startActiveCallsMetric(
  read: () => number,
  intervalMs: number,
  target: MetricsTarget,
): () => Promise<void> {
  let stopped = false;
  const publish = (): Promise<void> =>
    putMetrics(target, [
      {
        MetricName: MEDIA_METRICS.activeCalls,
        Dimensions: [{ Name: MEDIA_METRICS.stageDimension, Value: target.stage }],
        Value: read(),
        Unit: 'Count',
        Timestamp: new Date(),
      },
    ]);
  let last = publish();
  const timer = setInterval(() => {
    last = publish();
  }, intervalMs);
  timer.unref();
  return async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    await last;
    await publish();
  };
}
