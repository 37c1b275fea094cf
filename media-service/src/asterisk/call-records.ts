import type { CallStatus } from '#shared/calls/call-status.ts';
import type { Call, EndReason } from '#shared/calls/call-types.ts';
import { transitionCall } from '#shared/data/calls.ts';
import { AppError } from '#shared/errors/app-error.ts';
import { publishCallEvent } from '#shared/queues/publisher.ts';
import type { SessionDeps } from '../session/session-deps.ts';

/**
 * Ends a call that never reached a session (outbound busy / no answer / failure, or a caller who
 * hung up while media was being set up): the status change releases the concurrency slot, and
 * `call.ended` is published only by the write that changed the status. Already-ended calls are
 * left alone.
 */
export async function endCallWithoutSession(
  deps: Pick<SessionDeps, 'db' | 'sqs' | 'queueUrls' | 'logger'>,
  call: Pick<Call, 'tenantId' | 'id' | 'agentId'>,
  status: Extract<CallStatus, 'busy' | 'no_answer' | 'failed' | 'canceled' | 'completed'>,
  endReason: EndReason,
): Promise<void> {
  let changed = false;
  try {
    ({ changed } = await transitionCall(deps.db, call.tenantId, call.id, status, {
      endedAt: new Date().toISOString(),
      endReason,
      durationSeconds: 0,
    }));
  } catch (error) {
    if (error instanceof AppError && (error.code === 'conflict' || error.code === 'not_found')) return;
    throw error;
  }
  if (!changed) return;
  await publishCallEvent(deps.sqs, deps.queueUrls, {
    type: 'call.ended',
    tenantId: call.tenantId,
    callId: call.id,
    agentId: call.agentId,
    status,
    endReason,
    durationSeconds: 0,
  }).catch((err) => deps.logger.error('call.ended publish failed', { callId: call.id, err }));
}
