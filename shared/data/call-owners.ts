import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CallProvider } from '../calls/providers.ts';
import type { Db } from './client.ts';
import { dueIndexAttributes } from './due-index.ts';
import { isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { stripKeys } from './pagination.ts';
import { ownerLapsed } from './owner-lease.ts';
import { getTaskLiveness, type TaskLiveness, taskCallsIndex } from './task-liveness.ts';

/**
 * Where a live call runs. `live`: a media task holds it while that task's heartbeat runs
 * (task-liveness.ts). `detached`: the
 * caller's leg dropped without a hang-up and the provider may reconnect it. `handover`: a
 * draining task let it go on purpose so another task takes it. `ended`: the platform ended the
 * call; it is never resumed.
 */
export type OwnerState = 'live' | 'detached' | 'handover' | 'ended';

/**
 * The ownership record of a call (one item in the call's partition). Every change is a
 * conditional write on `generation`: a task that lost the call (it was taken over while the task
 * was presumed dead) can no longer release or end it, so its leftovers never bill twice.
 */
export interface CallOwner {
  callId: string;
  tenantId: string;
  provider: CallProvider;
  taskId: string;
  generation: number;
  state: OwnerState;
  /**
   * `task`: a live call is held while its task beats (owner-lease.ts reads the hold). Absent on
   * records of older tasks, which renewed a lease per call in `leaseUntilMs`.
   */
  lease?: 'task';
  /**
   * Released calls: when they were let go. Live calls held by a task heartbeat: the call's own
   * deadline (`maxDurationAtMs`), so older tasks, which read this field as a per-call lease, never
   * see them lapse during a rolling deploy.
   */
  leaseUntilMs: number;
  /** When the caller was first connected: the call's one answer time across every task. */
  answeredAt: string;
  /** The agent's maximum duration, as an absolute deadline (epoch ms). */
  maxDurationAtMs: number;
  resumes: number;
  /** Milliseconds without media before each resume (newest last, bounded). */
  resumeGapsMs: number[];
  /** Resume offers made (Twilio action requests answered with a new stream). */
  resumeOffers: number;
  /** Tools running right now: tool call id → tool name. Reported as interrupted after a resume. */
  toolsInFlight: Record<string, string>;
  endReason?: string;
  updatedAtMs: number;
}

export type OwnerKey = Pick<CallOwner, 'callId' | 'taskId' | 'generation'>;

/** Keeps the item well past any call (4 h maximum) for post-mortems; TTL only tidies. */
const OWNER_TTL_SECONDS = 2 * 24 * 3600;
const MAX_GAPS = 50;

function ttl(nowMs: number): number {
  return Math.floor(nowMs / 1000) + OWNER_TTL_SECONDS;
}

/**
 * How long after it was let go (a released leg that was never reconnected) a call that nobody
 * resumed is finalised by the lost-call sweeper. Longer than the media task's own detached window
 * (30 s), so a live last owner usually ends the call itself. Calls of a task that stopped beating
 * wait `DEAD_TASK_GRACE_MS` (the same) after its last beat.
 */
export const LOST_CALL_GRACE_MS = 60_000;

/**
 * gsi1 attributes that put a released call on the lost-call sweeper's work list, due once the
 * grace after its release ran out. Live calls are on their task's list instead.
 */
export function ownerDue(callId: string, leaseUntilMs: number) {
  return dueIndexAttributes('owner', new Date(leaseUntilMs + LOST_CALL_GRACE_MS), callId);
}

/** The condition every write of the current owner carries. */
const OWNED = 'taskId = :task AND generation = :gen';

function dueValues(callId: string, leaseUntilMs: number) {
  const due = ownerDue(callId, leaseUntilMs);
  return { ':duePk': due.gsi1pk, ':dueSk': due.gsi1sk };
}

async function send<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw translateDynamoError(error);
  }
}

/**
 * Records the first owner when a call's media session starts (generation 1), held by the task's
 * heartbeat. Undefined when the call already has an owner record (a session already ran for it).
 */
export async function claimCallOwner(
  db: Db,
  owner: Pick<CallOwner, 'callId' | 'tenantId' | 'provider' | 'taskId' | 'answeredAt' | 'maxDurationAtMs'>,
  nowMs: number = Date.now(),
): Promise<CallOwner | undefined> {
  const item: CallOwner = {
    ...owner,
    generation: 1,
    state: 'live',
    lease: 'task',
    leaseUntilMs: owner.maxDurationAtMs,
    resumes: 0,
    resumeGapsMs: [],
    resumeOffers: 0,
    toolsInFlight: {},
    updatedAtMs: nowMs,
  };
  const out = await send(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.callOwner(owner.callId),
          ...taskCallsIndex(owner.taskId, owner.callId),
          type: 'callOwner',
          ...item,
          expiresAt: ttl(nowMs),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return out ? item : undefined;
}

export async function getCallOwner(db: Db, callId: string): Promise<CallOwner | undefined> {
  try {
    const out = await db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.callOwner(callId), ConsistentRead: true }),
    );
    return out.Item ? stripKeys<CallOwner>(out.Item) : undefined;
  } catch (error) {
    throw translateDynamoError(error);
  }
}

/**
 * Lets the call go: `ended` (the platform ended it; never resumed), `detached` or `handover`
 * (another task may take it over). False when the task had already lost the call, in which case
 * it must not store the call's end either.
 */
export async function releaseCallOwner(
  db: Db,
  key: OwnerKey,
  state: Exclude<OwnerState, 'live'>,
  reason: string,
  nowMs: number = Date.now(),
): Promise<boolean> {
  const out = await send(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.callOwner(key.callId),
        // An ended call leaves the sweeper's list; a detached or handed-over one stays on it,
        // due once the grace after its release ran out (nobody reconnected it).
        UpdateExpression:
          'SET #state = :state, endReason = :reason, leaseUntilMs = :now, updatedAtMs = :now' +
          (state === 'ended' ? ' REMOVE gsi1pk, gsi1sk' : ', gsi1pk = :duePk, gsi1sk = :dueSk'),
        ConditionExpression: `${OWNED} AND #state <> :ended`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':task': key.taskId,
          ':gen': key.generation,
          ':state': state,
          ':ended': 'ended',
          ':reason': reason,
          ':now': nowMs,
          ...(state === 'ended' ? {} : dueValues(key.callId, nowMs)),
        },
      }),
    ),
  );
  return Boolean(out);
}

/** Records the tools running right now (reported to the model as interrupted after a resume). */
export async function setToolsInFlight(
  db: Db,
  key: OwnerKey,
  tools: Record<string, string>,
  nowMs: number = Date.now(),
): Promise<boolean> {
  const out = await send(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.callOwner(key.callId),
        UpdateExpression: 'SET toolsInFlight = :tools, updatedAtMs = :now',
        ConditionExpression: OWNED,
        ExpressionAttributeValues: {
          ':task': key.taskId,
          ':gen': key.generation,
          ':tools': tools,
          ':now': nowMs,
        },
      }),
    ),
  );
  return Boolean(out);
}

/** A call's owner record and, while the call is live, its task's heartbeat: what `owner-lease.ts` reads a hold from. */
export interface OwnerHold {
  owner: CallOwner;
  liveness: TaskLiveness | undefined;
}

/** The call's `OwnerHold`, both records read consistently; undefined when the call has no owner. */
export async function getCallOwnerHold(db: Db, callId: string): Promise<OwnerHold | undefined> {
  const owner = await getCallOwner(db, callId);
  if (!owner) return undefined;
  const liveness = owner.state === 'live' ? await getTaskLiveness(db, owner.taskId) : undefined;
  return { owner, liveness };
}

export type TakeoverRefusal = 'replayed' | 'ended' | 'missing' | 'owned';

/**
 * Moves the call to `taskId`: consumes `generation` (a resume token's) with a conditional write,
 * so a token works once and two tasks can never both win. `requireLapsed` (takeovers authorised by
 * the provider's own reconnect rather than a token) also requires that the current owner let the
 * call go or that its task stopped beating: the generation read with that verdict is the one the
 * write consumes, so an owner that changed meanwhile makes the write fail.
 */
export async function takeOverCall(
  db: Db,
  input: {
    callId: string;
    taskId: string;
    /** The generation the authority was issued for; the current one when absent. */
    generation?: number;
    gapMs: number;
    requireLapsed?: boolean;
    nowMs?: number;
  },
): Promise<{ ok: true; owner: CallOwner } | { ok: false; reason: TakeoverRefusal }> {
  const nowMs = input.nowMs ?? Date.now();
  let generation = input.generation;
  if (generation === undefined || input.requireLapsed) {
    const hold = await getCallOwnerHold(db, input.callId);
    if (!hold) return { ok: false, reason: 'missing' };
    const current = hold.owner;
    if (input.requireLapsed) {
      if (current.state === 'ended') return { ok: false, reason: 'ended' };
      if (generation !== undefined && current.generation !== generation)
        return { ok: false, reason: 'replayed' };
      if (!ownerLapsed(current, hold.liveness, nowMs)) return { ok: false, reason: 'owned' };
    }
    generation = current.generation;
  }
  const gap = Math.max(0, Math.round(input.gapMs));
  const onTaskList = taskCallsIndex(input.taskId, input.callId);
  let out: Record<string, unknown> | undefined;
  try {
    const result = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.callOwner(input.callId),
        // Live under the new task's heartbeat; `leaseUntilMs` back to the call's own deadline.
        UpdateExpression:
          'SET generation = :next, taskId = :task, #state = :live, lease = :taskLease, ' +
          'leaseUntilMs = maxDurationAtMs, updatedAtMs = :now, gsi1pk = :tasksPk, gsi1sk = :tasksSk, ' +
          'resumeGapsMs = list_append(if_not_exists(resumeGapsMs, :empty), :gap) ADD resumes :one',
        ConditionExpression: 'attribute_exists(pk) AND generation = :gen AND #state <> :ended',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':gen': generation,
          ':next': generation + 1,
          ':task': input.taskId,
          ':live': 'live',
          ':taskLease': 'task',
          ':ended': 'ended',
          ':now': nowMs,
          ':tasksPk': onTaskList.gsi1pk,
          ':tasksSk': onTaskList.gsi1sk,
          ':empty': [],
          ':gap': [gap],
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    out = result.Attributes;
  } catch (error) {
    if (!isConditionFailure(error)) throw translateDynamoError(error);
    const current = await getCallOwner(db, input.callId);
    if (!current) return { ok: false, reason: 'missing' };
    if (current.state === 'ended') return { ok: false, reason: 'ended' };
    if (current.generation !== generation) return { ok: false, reason: 'replayed' };
    return { ok: false, reason: 'owned' };
  }
  const owner = stripKeys<CallOwner>(out ?? {});
  if (owner.resumeGapsMs.length > MAX_GAPS) owner.resumeGapsMs = owner.resumeGapsMs.slice(-MAX_GAPS);
  return { ok: true, owner };
}

/**
 * Counts one resume offer (a Twilio action request answered with a new stream) unless the call
 * ended; returns the owner after the count, or undefined when there is nothing to resume.
 */
export async function countResumeOffer(
  db: Db,
  callId: string,
  nowMs: number = Date.now(),
): Promise<CallOwner | undefined> {
  const out = await send(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.callOwner(callId),
        UpdateExpression: 'SET updatedAtMs = :now ADD resumeOffers :one',
        ConditionExpression: 'attribute_exists(pk) AND #state <> :ended',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':now': nowMs, ':one': 1, ':ended': 'ended' },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return out?.Attributes ? stripKeys<CallOwner>(out.Attributes) : undefined;
}
