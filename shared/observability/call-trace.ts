import { createHash } from 'node:crypto';
import type { TraceHeader } from './trace-header.ts';

/**
 * The id of the media service's segment of a call, derived from the call id, so every part of the
 * session (and a task that resumes the call) names the same parent without storing it.
 */
export function mediaSegmentId(callId: string): string {
  return createHash('sha256').update(`media:${callId}`).digest('hex').slice(0, 16);
}

/** The trace the media session of a call runs in: the call's trace, its own segment as parent. */
export function mediaCallTrace(call: { id: string; traceId?: string }): TraceHeader | undefined {
  return call.traceId ? { root: call.traceId, parent: mediaSegmentId(call.id), sampled: true } : undefined;
}
