import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CallOwner } from './call-owners.ts';
import type { Db } from './client.ts';
import { dueIndexAttributes } from './due-index.ts';
import { isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';

/**
 * The lost-call sweeper's two writes on a call-owner item. Ending comes first and keeps the item
 * on the work list; only once the call itself is stored as ended does it leave the list, so a
 * sweeper that dies in between finishes the job on its next run instead of losing the call.
 */

/**
 * Ends the ownership of a call nobody resumed, provided nothing moved since the sweeper read it
 * (same generation, state and lease: no resume, older-task renewal or release came in between). False when
 * something did: the call is alive, or another sweep already ended it.
 */
export async function endLostCallOwner(
  db: Db,
  seen: Pick<CallOwner, 'callId' | 'generation' | 'state' | 'leaseUntilMs'>,
  reason: string,
): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.callOwner(seen.callId),
        // `updatedAtMs` stays the owner's last sign of life: the call's end time, even when a
        // later sweep finishes the work.
        UpdateExpression: 'SET #state = :ended, endReason = :reason',
        ConditionExpression: 'generation = :gen AND #state = :seen AND leaseUntilMs = :lease',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':ended': 'ended',
          ':reason': reason,
          ':gen': seen.generation,
          ':seen': seen.state,
          ':lease': seen.leaseUntilMs,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}

/**
 * Ends a live call of a task that stopped beating, provided it is still that task's, at that
 * generation and live (no takeover, release or end came in between). The call moves to the
 * `owner` due list, due now, with `updatedAtMs` set to when it was last known to run: a sweeper
 * that dies before storing the call's end finishes it from there like any other lost call.
 * False when something moved: the call is alive, or another sweep got it first.
 */
export async function endCallOfDeadTask(
  db: Db,
  seen: Pick<CallOwner, 'callId' | 'generation' | 'taskId'>,
  lastSeenMs: number,
  reason: string,
  nowMs: number,
): Promise<boolean> {
  const due = dueIndexAttributes('owner', new Date(nowMs), seen.callId);
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.callOwner(seen.callId),
        UpdateExpression:
          'SET #state = :ended, endReason = :reason, updatedAtMs = :lastSeen, gsi1pk = :duePk, gsi1sk = :dueSk',
        ConditionExpression: 'generation = :gen AND taskId = :task AND #state = :live',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':ended': 'ended',
          ':reason': reason,
          ':lastSeen': lastSeenMs,
          ':duePk': due.gsi1pk,
          ':dueSk': due.gsi1sk,
          ':gen': seen.generation,
          ':task': seen.taskId,
          ':live': 'live',
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}

/** Takes an ended call off the sweeper's list (its end is stored). Repeating it is harmless. */
export async function clearLostCallDue(db: Db, callId: string, generation: number): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.callOwner(callId),
        UpdateExpression: 'REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'generation = :gen AND #state = :ended',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':gen': generation, ':ended': 'ended' },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw translateDynamoError(error);
  }
}
