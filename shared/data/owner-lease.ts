import type { CallOwner } from './call-owners.ts';
import type { TaskLiveness } from './task-liveness.ts';

/**
 * Reading a call's hold from its owner record plus its task's heartbeat. Records written under
 * a task heartbeat (`lease: 'task'`) are held while they are live and their task beats; records
 * of older tasks (no `lease`) carry their own per-call lease in `leaseUntilMs`. Pure, so the
 * takeover, the Asterisk resume wait and the resume gap read a hold the same way.
 */
type OwnerView = Pick<CallOwner, 'state' | 'leaseUntilMs' | 'updatedAtMs' | 'lease'>;
type LivenessView = Pick<TaskLiveness, 'aliveUntilMs' | 'beatAtMs'> | undefined;

/** Until when the owner holds the call (epoch ms); in the past once it let go or stopped beating. */
export function holdUntilMs(owner: OwnerView, liveness: LivenessView): number {
  if (owner.state !== 'live' || owner.lease !== 'task') return owner.leaseUntilMs;
  // No heartbeat on record: the task never beat (or its record is gone), so it holds nothing.
  return liveness?.aliveUntilMs ?? 0;
}

/** True when the owner let the call go or can no longer be holding it at `nowMs`. */
export function ownerLapsed(owner: OwnerView, liveness: LivenessView, nowMs: number): boolean {
  return owner.state !== 'live' || holdUntilMs(owner, liveness) < nowMs;
}

/**
 * The last moment the owner was known to run the call: its last write on the record (a release,
 * a claim) or, for a live call held by a task heartbeat, that task's last beat if later.
 */
export function ownerLastSeenMs(owner: OwnerView, liveness: LivenessView): number {
  if (owner.state !== 'live' || owner.lease !== 'task') return owner.updatedAtMs;
  return Math.max(owner.updatedAtMs, liveness?.beatAtMs ?? 0);
}
