import { newTraceId } from '#shared/observability/trace-header.ts';
import type { ClosedCall } from '../session/closed-call.ts';
import { callSegment } from './call-segment.ts';
import type { SegmentEmitter } from './segment-emitter.ts';

/**
 * Emits each closed call's segment. A call created before calls carried a trace id gets a trace of
 * its own (its start as the trace's time), so it can still be found by its `callId` annotation.
 */
export function callTracing(emitter: SegmentEmitter) {
  return {
    callClosed(closed: ClosedCall): void {
      emitter.emit(callSegment(closed, closed.call.traceId ?? newTraceId(closed.startedAt.getTime())));
    },
    stop: () => emitter.close(),
  };
}
