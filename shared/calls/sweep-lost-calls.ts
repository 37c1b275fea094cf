import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CallOwner } from '../data/call-owners.ts';
import { getCall, transitionCall } from '../data/calls.ts';
import type { Db } from '../data/client.ts';
import { listDue } from '../data/due-index.ts';
import { clearLostCallDue, endCallOfDeadTask, endLostCallOwner } from '../data/lost-call-owners.ts';
import { ownerLastSeenMs } from '../data/owner-lease.ts';
import { stripKeys } from '../data/pagination.ts';
import { clearDeadTask, listTaskCalls, type TaskLiveness } from '../data/task-liveness.ts';
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

type SweepResult = { ended: number; alive: number; failed: number };

/**
 * Finalises calls whose media was lost and that nobody resumed within the grace: a browser tab
 * closed for good, a Twilio leg never reconnected (both let go by their task), or the calls of a
 * media task that stopped beating before it could end them itself. Each becomes `completed` with
 * end reason `media_lost`, ended when its owner last showed life (so the wait is not billed), and
 * `call.ended` goes out once (usage, transcript summary and webhooks follow as for any end).
 * Work comes from indexes by due time and by task, never a scan; overlapping sweeps are harmless.
 */
export async function sweepLostCalls(deps: LostCallSweepDeps): Promise<SweepResult> {
  const now = deps.now ?? new Date();
  const result = { ended: 0, alive: 0, failed: 0 };
  const tally = async (callId: string, finalise: () => Promise<LostCallOutcome>) => {
    try {
      const outcome = await finalise();
      if (outcome === 'ended') result.ended++;
      if (outcome === 'alive') result.alive++;
      return true;
    } catch (error) {
      result.failed++;
      deps.logger.error('lost call not finalised; retried next run', { callId, err: error });
      return false;
    }
  };
  for (const item of await listDue(deps.db, 'task', now, SWEEP_LIMIT)) {
    const task = stripKeys<TaskLiveness>(item);
    let allDone = true;
    for (const owner of await listTaskCalls(deps.db, task.taskId)) {
      if (!(await tally(owner.callId, () => finaliseCallOfDeadTask(deps, owner, task)))) allDone = false;
    }
    // The task stays on the list until a sweep found none of its calls left to end.
    if (allDone) await clearDeadTask(deps.db, task);
  }
  for (const item of await listDue(deps.db, 'owner', now, SWEEP_LIMIT)) {
    const owner = stripKeys<CallOwner>(item);
    await tally(owner.callId, () => finaliseLostCall(deps, owner));
  }
  return result;
}

/**
 * One live call of a task that stopped beating: ends its ownership at the task's last beat
 * (unless it moved since the index was read), then stores the call's end like any lost call.
 */
export async function finaliseCallOfDeadTask(
  deps: LostCallSweepDeps,
  owner: CallOwner,
  task: TaskLiveness,
): Promise<LostCallOutcome> {
  if (owner.state !== 'live' || owner.taskId !== task.taskId) return 'alive';
  const lastSeenMs = ownerLastSeenMs(owner, task);
  const nowMs = (deps.now ?? new Date()).getTime();
  const ended = await endCallOfDeadTask(deps.db, owner, lastSeenMs, MEDIA_LOST_REASON, nowMs);
  if (!ended) return 'alive';
  return finaliseLostCall(deps, { ...owner, state: 'ended', updatedAtMs: lastSeenMs });
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
  // When the owner last showed life: the release of the dropped leg, or its task's last beat.
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
