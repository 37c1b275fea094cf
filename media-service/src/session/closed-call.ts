import type { Call, CallTelemetry, EndReason } from '#shared/calls/call-types.ts';
import type { TelemetrySpan } from './latency-telemetry.ts';

/** What a call's session hands to observers when it closes (metrics, traces). */
export interface ClosedCall {
  call: Call;
  reason: EndReason;
  telemetry: CallTelemetry;
  spans: TelemetrySpan[];
  startedAt: Date;
  endedAt: Date;
  /** This task let the call go to another task (dropped leg, drain, takeover): it did not end. */
  continuesElsewhere?: boolean;
}
