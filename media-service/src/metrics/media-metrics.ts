import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EndReason } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { startActiveCallsMetric } from './active-calls-metric.ts';
import { callOutcome } from './call-outcome.ts';
import { startCallOutcomeMetric } from './call-outcome-metric.ts';

export interface MediaMetrics {
  /** Counts one closed call session under its outcome. */
  callClosed(reason: EndReason): void;
  /** Publishes what is still counted and a final live-call reading. */
  stop(): Promise<void>;
}

export interface MediaMetricsOptions {
  namespace: string;
  stage: string;
  logger: Logger;
  liveCalls: () => number;
  /** An existing client (tests point one at a local endpoint); a regional client otherwise. */
  cloudwatch?: CloudWatchClient;
  region?: string;
  intervalMs?: number;
}

/**
 * The media task's CloudWatch metrics: the live-call gauge autoscaling follows and the ended-call
 * outcomes the failure-rate alarm reads. Started only where `METRICS_NAMESPACE` is set (AWS), so
 * a laptop never tries to reach CloudWatch.
 */
export function startMediaMetrics(options: MediaMetricsOptions): MediaMetrics {
  const target = {
    cloudwatch: options.cloudwatch ?? new CloudWatchClient({ region: options.region }),
    namespace: options.namespace,
    stage: options.stage,
    logger: options.logger,
  };
  const intervalMs = options.intervalMs ?? 60_000;
  const stopActiveCalls = startActiveCallsMetric(options.liveCalls, intervalMs, target);
  const outcomes = startCallOutcomeMetric(intervalMs, target);
  return {
    callClosed: (reason) => outcomes.record(callOutcome(reason)),
    async stop() {
      await outcomes.stop();
      await stopActiveCalls();
    },
  };
}
