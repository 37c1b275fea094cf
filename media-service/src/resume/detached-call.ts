import type { Call, CallTelemetry } from '#shared/calls/call-types.ts';
import { type CallOwner, getCallOwner, releaseCallOwner } from '#shared/data/call-owners.ts';
import { MEDIA_LOST_REASON } from '#shared/calls/sweep-lost-calls.ts';
import { markCallEnded } from '../session/call-lifecycle.ts';
import type { SessionDeps } from '../session/session-deps.ts';
import { DEFAULT_LEASE_TIMING } from './task-heartbeat.ts';

/**
 * After a caller leg dropped without a hang-up, the provider gets `detachedWindowMs` to reconnect
 * it to some task. If no task took the call over by then, this task (the last owner) ends it at
 * the time the leg dropped, so it neither stays "in progress" nor bills the wait.
 */
export function watchDetachedCall(
  deps: Pick<SessionDeps, 'db' | 'sqs' | 'queueUrls' | 'logger' | 'env' | 'taskId' | 'leaseTiming'>,
  detached: { call: Call; owner: CallOwner; answeredAt: Date; detachedAt: Date; telemetry: CallTelemetry },
): void {
  const windowMs = (deps.leaseTiming ?? DEFAULT_LEASE_TIMING).detachedWindowMs;
  const { call, owner } = detached;
  const logger = deps.logger.child({ callId: call.id, tenantId: call.tenantId });
  const check = async () => {
    const current = await getCallOwner(deps.db, call.id);
    if (!current || current.generation !== owner.generation || current.state !== 'detached') return;
    const key = { callId: call.id, taskId: deps.taskId, generation: owner.generation };
    if (!(await releaseCallOwner(deps.db, key, 'ended', MEDIA_LOST_REASON))) return;
    logger.warn('call ended: its media connection dropped and was not resumed', { windowMs });
    await markCallEnded(deps, call, {
      status: 'completed',
      endReason: MEDIA_LOST_REASON,
      answeredAt: detached.answeredAt,
      endedAt: detached.detachedAt,
      telemetry: detached.telemetry,
    });
  };
  setTimeout(() => {
    check().catch((error: unknown) => logger.error('detached call could not be settled', { err: error }));
  }, windowMs).unref();
}
