import { mediaSegmentId } from '#shared/observability/call-trace.ts';
import type { ClosedCall } from '../session/closed-call.ts';

/** An X-Ray segment document (the fields the X-Ray daemon and console use). */
export interface SegmentDocument {
  name: string;
  id: string;
  trace_id: string;
  start_time: number;
  end_time: number;
  origin?: string;
  annotations?: Record<string, string | number | boolean>;
  metadata?: Record<string, Record<string, unknown>>;
  subsegments?: {
    id: string;
    name: string;
    start_time: number;
    end_time: number;
    annotations?: Record<string, string | boolean>;
    error?: boolean;
  }[];
  error?: boolean;
}

const seconds = (ms: number) => ms / 1000;

/**
 * The media service's segment of one call: the session from start to close, annotated with the ids
 * an operator searches by (`annotation.callId = "call_…"`), with one subsegment per timed step
 * (call setup, each model connect, first agent audio, each reply's response latency, each tool
 * call, barge-in stops, model reconnects); a failed step is marked `error`. Pure: the
 * subsegment ids are derived from the call id and the step's position, so a retry emits the same.
 */
export function callSegment(closed: ClosedCall, traceId: string): SegmentDocument {
  const { call } = closed;
  const id = mediaSegmentId(call.id);
  return {
    name: 'ai-caller-media',
    id,
    trace_id: traceId,
    start_time: seconds(closed.startedAt.getTime()),
    end_time: seconds(closed.endedAt.getTime()),
    origin: 'AWS::ECS::Container',
    annotations: {
      callId: call.id,
      tenantId: call.tenantId,
      agentId: call.agentId,
      provider: call.provider,
      direction: call.direction,
      endReason: closed.reason,
    },
    metadata: { call: { telemetry: closed.telemetry } },
    subsegments: closed.spans.map((span, index) => ({
      id: `${id.slice(0, 12)}${index.toString(16).padStart(4, '0')}`,
      name: span.name,
      start_time: seconds(span.startMs),
      end_time: seconds(span.endMs),
      ...(span.annotations ? { annotations: span.annotations } : {}),
      ...(span.failed ? { error: true } : {}),
    })),
    ...(closed.reason === 'model_error' || closed.reason === 'media_error' ? { error: true } : {}),
  };
}
