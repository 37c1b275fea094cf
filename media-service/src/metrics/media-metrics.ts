import type { CallTelemetry, EndReason } from '#shared/calls/call-types.ts';
import { writeCallRefused } from '#shared/metrics/call-refusals.ts';
import { MEDIA_METRICS } from '#shared/metrics/media-metrics.ts';
import { createMetricsEmitter, type MetricValue } from '#shared/observability/emf.ts';
import type { TelemetrySink } from '#shared/observability/telemetry-sink.ts';
import { callOutcome } from './call-outcome.ts';

export interface MediaMetrics {
  /** Writes one closed call's outcome and latency figures (one or two records, at call end). */
  callClosed(reason: EndReason, telemetry?: CallTelemetry): void;
  /** Counts one call refused at admission (`Reason`: token, capacity, draining, tenant limits…). */
  callRefused(reason: string): void;
  /** Ends the gauge timer and writes a final live-call reading (0 after a drain). */
  stop(): void;
}

export interface MediaMetricsOptions {
  stage: string;
  sink: TelemetrySink;
  liveCalls: () => number;
  intervalMs?: number;
}

/**
 * The media task's metrics as EMF log records: the live-call gauge autoscaling follows (now and
 * every `intervalMs`; 60 s suits the 1-minute autoscaling metric) and, per ended call, its outcome
 * (the failure-rate alarm) and latencies; and each call refused at admission. Nothing here makes
 * a network call, and nothing runs per audio frame: records are written on the gauge timer, when
 * a call closes and when one is refused.
 */
export function startMediaMetrics(options: MediaMetricsOptions): MediaMetrics {
  const emitter = createMetricsEmitter({
    namespace: MEDIA_METRICS.namespace,
    service: MEDIA_METRICS.serviceName,
    defaultDimensions: { [MEDIA_METRICS.stageDimension]: options.stage },
    sink: options.sink,
  });
  const gauge = () =>
    emitter.emit([{ name: MEDIA_METRICS.activeCalls, unit: 'Count', value: options.liveCalls() }]);
  gauge();
  const timer = setInterval(gauge, options.intervalMs ?? 60_000);
  timer.unref();
  let stopped = false;
  return {
    callClosed(reason, telemetry) {
      emitter.emit([{ name: MEDIA_METRICS.callsEnded, unit: 'Count', value: 1 }], {
        [MEDIA_METRICS.outcomeDimension]: callOutcome(reason),
      });
      if (!telemetry) return;
      const values: MetricValue[] = [];
      if (telemetry.firstAgentAudioMs !== undefined) {
        values.push({
          name: MEDIA_METRICS.firstAudioLatency,
          unit: 'Milliseconds',
          value: telemetry.firstAgentAudioMs,
        });
      }
      for (const ms of telemetry.responseLatenciesMs ?? []) {
        values.push({ name: MEDIA_METRICS.responseLatency, unit: 'Milliseconds', value: ms });
      }
      if (telemetry.modelReconnects) {
        values.push({ name: MEDIA_METRICS.modelReconnects, unit: 'Count', value: telemetry.modelReconnects });
      }
      if (telemetry.resumes) {
        values.push({ name: MEDIA_METRICS.callResumes, unit: 'Count', value: telemetry.resumes });
      }
      for (const ms of telemetry.resumeGapsMs ?? []) {
        values.push({ name: MEDIA_METRICS.resumeLatency, unit: 'Milliseconds', value: ms });
      }
      emitter.emit(values);
    },
    callRefused: (reason) => writeCallRefused(emitter, reason),
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      gauge();
    },
  };
}
