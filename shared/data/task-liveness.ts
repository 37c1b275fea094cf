import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CallOwner } from './call-owners.ts';
import type { Db } from './client.ts';
import { dueIndexAttributes } from './due-index.ts';
import { dynamo, isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { queryAll, stripKeys } from './pagination.ts';
import { CALL_INDEX } from './table.ts';

/**
 * One media task's heartbeat. A task renews this single item for all of its calls, instead of one
 * lease per call: a task with 100 calls writes once per beat rather than 100 times (20 writes a
 * second at a 5 s beat, which cost a DynamoDB bill and, locally, the emulator's CPU). A live call
 * is held while its owner record names this task and this task is alive; the calls a task holds
 * are found through gsi1 (`TASKCALLS#<taskId>`).
 */
export interface TaskLiveness {
  taskId: string;
  /** The task counts as alive until this time (epoch ms) unless it beats again. */
  aliveUntilMs: number;
  /** Its last beat: the last moment its calls were known to run (a lost call ends there). */
  beatAtMs: number;
}

/**
 * How long after a task stopped beating the lost-call sweeper ends the calls it still held.
 * Longer than the media task's own detached window (30 s), so a provider that reconnects a call
 * has it resumed, not ended.
 */
export const DEAD_TASK_GRACE_MS = 60_000;

/** Keeps the item well past any task's life for post-mortems; TTL only tidies. */
const LIVENESS_TTL_SECONDS = 2 * 24 * 3600;

const taskCallsPk = (taskId: string) => `TASKCALLS#${taskId}`;

/** gsi1 attributes of a live call's owner record: on its task's list, not on any due list. */
export function taskCallsIndex(taskId: string, callId: string) {
  return { gsi1pk: taskCallsPk(taskId), gsi1sk: callId };
}

/**
 * One beat: the task is alive for another `leaseMs`. The item also sits on the sweeper's `task`
 * due list, due once the lease plus the grace ran out, so a task that stops beating is found by
 * one Query, never a scan.
 */
export async function beatTask(
  db: Db,
  taskId: string,
  leaseMs: number,
  nowMs: number = Date.now(),
): Promise<TaskLiveness> {
  const aliveUntilMs = nowMs + leaseMs;
  const due = dueIndexAttributes('task', new Date(aliveUntilMs + DEAD_TASK_GRACE_MS), taskId);
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.taskLiveness(taskId),
        UpdateExpression:
          'SET #type = :type, taskId = :task, aliveUntilMs = :alive, beatAtMs = :now, ' +
          'gsi1pk = :duePk, gsi1sk = :dueSk, expiresAt = :ttl',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'taskLiveness',
          ':task': taskId,
          ':alive': aliveUntilMs,
          ':now': nowMs,
          ':duePk': due.gsi1pk,
          ':dueSk': due.gsi1sk,
          ':ttl': Math.floor(nowMs / 1000) + LIVENESS_TTL_SECONDS,
        },
      }),
    ),
  );
  return { taskId, aliveUntilMs, beatAtMs: nowMs };
}

export async function getTaskLiveness(db: Db, taskId: string): Promise<TaskLiveness | undefined> {
  try {
    const out = await db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.taskLiveness(taskId), ConsistentRead: true }),
    );
    return out.Item ? stripKeys<TaskLiveness>(out.Item) : undefined;
  } catch (error) {
    throw translateDynamoError(error);
  }
}

/**
 * The owner records of the calls a task holds, from the index: bounded by design (a task runs at
 * most `MEDIA_MAX_CALLS`). Eventually consistent: a call claimed a moment ago may be missing, one
 * taken over a moment ago may still show; callers confirm what they act on with a consistent read
 * or a conditional write.
 */
export async function listTaskCalls(db: Db, taskId: string): Promise<CallOwner[]> {
  const items = await queryAll(db, {
    IndexName: CALL_INDEX.byStatus,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': taskCallsPk(taskId) },
  });
  return items.map((item) => stripKeys<CallOwner>(item));
}

/**
 * Takes a dead task off the sweeper's list once none of its calls is left, unless it beat again
 * since the sweeper read it (then its own beat put it back on the list with a new due time).
 */
export async function clearDeadTask(
  db: Db,
  seen: Pick<TaskLiveness, 'taskId' | 'aliveUntilMs'>,
): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.taskLiveness(seen.taskId),
        UpdateExpression: 'REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'aliveUntilMs = :seen',
        ExpressionAttributeValues: { ':seen': seen.aliveUntilMs },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw translateDynamoError(error);
  }
}
