import { createMetricsEmitter, type MetricsEmitter } from '../observability/emf.ts';
import { type TelemetrySink, telemetrySinkFromEnv } from '../observability/telemetry-sink.ts';
import { MEDIA_METRICS } from './media-metrics.ts';

/**
 * `Reason` values are short snake_case words from our own code (`concurrent_calls`, `draining`,
 * `token_replayed`…); anything else is folded so a dimension can never carry free text.
 */
function reasonValue(reason: string): string {
  return /^[a-z][a-z0-9_]{0,39}$/.test(reason) ? reason : 'other';
}

/** Writes one `CallsRefused` record: under `Reason` and under the total, in one EMF line. */
export function writeCallRefused(emitter: MetricsEmitter, reason: string): void {
  emitter.emit(
    [{ name: MEDIA_METRICS.callsRefused, unit: 'Count', value: 1 }],
    { [MEDIA_METRICS.reasonDimension]: reasonValue(reason) },
    { withTotal: true },
  );
}

/**
 * Refused calls counted outside the media task: the Twilio voice webhook refuses inbound calls the
 * tenant's limits do not allow before any stream reaches the media service. Written under the
 * media namespace and dimensions, so the dashboard and the alarm read one series for the fleet.
 */
export function createCallRefusalMetrics(
  stage: string,
  sink: TelemetrySink = telemetrySinkFromEnv(),
): { callRefused(reason: string): void } {
  const emitter = createMetricsEmitter({
    namespace: MEDIA_METRICS.namespace,
    service: MEDIA_METRICS.serviceName,
    defaultDimensions: { [MEDIA_METRICS.stageDimension]: stage },
    sink,
  });
  return { callRefused: (reason) => writeCallRefused(emitter, reason) };
}
