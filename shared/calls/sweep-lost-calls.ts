import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CallOwner } from '../data/call-owners.ts';
import { getCall, transitionCall } from '../data/calls.ts';
import type { Db } from '../data/client.ts';
import { listDue } from '../data/due-index.ts';
import { clearLostCallDue, endLostCallOwner } from '../data/lost-call-owners.ts';
import { stripKeys } from '../data/pagination.ts';
import { ConflictError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { publishCallEventDurably } from '../queues/durable-publish.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import { isTerminal } from './call-status.ts';
import type { CallTelemetry } from './call-types.ts';

/** Why a call ends when its media connection was lost and no task resumed it. */
export const MEDIA_LOST_REASON = 'media_lost';
/** Calls looked at per sweep (every minute). */
const SWEEP_LIMIT = 100;

export interface LostCallSweepDeps {
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  logger: Logger;
  publishTimeoutMs?: number;
  now?: Date;
}

export type LostCallOutcome = 'ended' | 'alive' | 'already_ended';

/**
 * Finalises calls whose media was lost and that nobody resumed within the grace after their lease
 * ran out: a browser tab closed for good, a Twilio leg never reconnected, or an owner task that
 * died before it could end the call itself. Each becomes `completed` with end reason
 * `media_lost`, ended when its owner last showed life (so the wait is not billed), and
 * `call.ended` goes out once (usage, transcript summary and webhooks follow as for any end).
 * Work comes from an index by due time, never a scan; overlapping sweeps are harmless.
 */
export async function sweepLostCalls(
  deps: LostCallSweepDeps,
): Promise<{ ended: number; alive: number; failed: number }> {
  const now = deps.now ?? new Date();
  const due = await listDue(deps.db, 'owner', now, SWEEP_LIMIT);
  const result = { ended: 0, alive: 0, failed: 0 };
  for (const item of due) {
    const owner = stripKeys<CallOwner>(item);
    try {
      const outcome = await finaliseLostCall(deps, owner);
      if (outcome === 'ended') result.ended++;
      if (outcome === 'alive') result.alive++;
    } catch (error) {
      result.failed++;
      deps.logger.error('lost call not finalised; retried next run', { callId: owner.callId, err: error });
    }
  }
  return result;
}

/** One due call-owner item: end its ownership, store the call's end, then take it off the list. */
export async function finaliseLostCall(deps: LostCallSweepDeps, owner: CallOwner): Promise<LostCallOutcome> {
  // `ended` already: an earlier sweep got this far and stopped; finish its work.
  if (owner.state !== 'ended') {
    const ended = await endLostCallOwner(deps.db, owner, MEDIA_LOST_REASON);
    if (!ended) return 'alive';
  }
  const outcome = await storeLostCallEnd(deps, owner);
  await clearLostCallDue(deps.db, owner.callId, owner.generation);
  return outcome;
}

async function storeLostCallEnd(deps: LostCallSweepDeps, owner: CallOwner): Promise<LostCallOutcome> {
  const call = await getCall(deps.db, owner.tenantId, owner.callId);
  if (!call || isTerminal(call.status)) return 'already_ended';
  // The owner's last write is its last renewal (it died) or the release of the dropped leg.
  const endedAt = new Date(Math.max(Date.parse(owner.answeredAt), owner.updatedAtMs));
  const durationSeconds = Math.max(0, Math.round((endedAt.getTime() - Date.parse(owner.answeredAt)) / 1000));
  const telemetry: CallTelemetry = { ...call.telemetry };
  if (owner.resumes) {
    telemetry.resumes = owner.resumes;
    telemetry.resumeGapsMs = [...(owner.resumeGapsMs ?? [])];
  }
  let changed = false;
  try {
    ({ changed } = await transitionCall(deps.db, call.tenantId, call.id, 'completed', {
      endedAt: endedAt.toISOString(),
      durationSeconds,
      endReason: MEDIA_LOST_REASON,
      telemetry,
    }));
  } catch (error) {
    if (error instanceof ConflictError) return 'already_ended';
    throw error;
  }
  if (!changed) return 'already_ended';
  await publishCallEventDurably(deps, {
    type: 'call.ended',
    tenantId: call.tenantId,
    callId: call.id,
    agentId: call.agentId,
    status: 'completed',
    endReason: MEDIA_LOST_REASON,
    durationSeconds,
  });
  deps.logger.warn('call ended: its media was lost and no task resumed it', {
    callId: call.id,
    lastOwner: owner.taskId,
    generation: owner.generation,
  });
  return 'ended';
}
