import type { CallStatus } from '#shared/calls/call-status.ts';
import type { Call, EndReason } from '#shared/calls/call-types.ts';
import { endUnconnectedCall } from '#shared/calls/end-unconnected-call.ts';
import { AppError } from '#shared/errors/app-error.ts';
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
  try {
    await endUnconnectedCall(deps, call, status, endReason);
  } catch (error) {
    if (error instanceof AppError && (error.code === 'conflict' || error.code === 'not_found')) return;
    throw error;
  }
}
