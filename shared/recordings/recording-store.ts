import { DeleteCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dueIndexAttributes } from '../data/due-index.ts';
import { dynamo, isConditionFailure } from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';
import type { CallRecording } from './recording-types.ts';

/**
 * A recording being written holds a lease: its media task renews it while the call runs. One not
 * renewed for this long belongs to a task that died, and the sweeper completes or aborts it.
 */
export const RECORDING_LEASE_MS = 3 * 60_000;
const WATCH_TTL_SECONDS = 14 * 24 * 3600;

interface CallRef {
  tenantId: string;
  callId: string;
}

function watchItem(ref: CallRef, dueAt: Date) {
  return {
    ...keys.recordingWatch(ref.callId),
    ...dueIndexAttributes('recording', dueAt, ref.callId),
    type: 'recordingWatch',
    tenantId: ref.tenantId,
    callId: ref.callId,
    expiresAt: Math.floor(dueAt.getTime() / 1000) + WATCH_TTL_SECONDS,
  };
}

/**
 * Records a started multipart upload on the call (status `recording`) and takes the lease, in one
 * transaction: how recordings were written before segments (segment-store.ts). Kept for the
 * sweeper and API tests of such recordings, which may still be stored or in flight.
 */
export async function storeRecordingStarted(
  db: Db,
  ref: CallRef,
  recording: Required<
    Pick<CallRecording, 'bucket' | 'key' | 'uploadId' | 'channels' | 'retentionDays' | 'startedAt'>
  >,
  now = new Date(),
): Promise<void> {
  const value: CallRecording = { status: 'recording', ...recording, parts: [] };
  await dynamo(() =>
    db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.call(ref.tenantId, ref.callId),
              UpdateExpression: 'SET #recording = :recording',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#recording': 'recording' },
              ExpressionAttributeValues: { ':recording': value },
            },
          },
          {
            Put: {
              TableName: db.tableName,
              Item: watchItem(ref, new Date(now.getTime() + RECORDING_LEASE_MS)),
            },
          },
        ],
      }),
    ),
  );
}

/**
 * Ends the writing of a recording made before segments (the sweeper finishes those): `ready` with its size and expiry, or `failed`. Applies only
 * while the call still holds upload `uploadId`, so the recorder and the sweeper never both finish
 * it; returns false when the other one did. The lease goes with it.
 */
export async function storeRecordingFinished(
  db: Db,
  ref: CallRef,
  uploadId: string,
  outcome:
    | { status: 'ready'; bytes: number; durationSeconds: number; completedAt: string; expiresAt: string }
    | { status: 'failed'; failure: string },
): Promise<boolean> {
  const names: Record<string, string> = {
    '#recording': 'recording',
    '#uploadId': 'uploadId',
    '#parts': 'parts',
  };
  const values: Record<string, unknown> = { ':uploadId': uploadId };
  const sets = Object.entries(outcome).map(([field, value]) => {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    return `#recording.#${field} = :${field}`;
  });
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.call(ref.tenantId, ref.callId),
              UpdateExpression: `SET ${sets.join(', ')} REMOVE #recording.#uploadId, #recording.#parts`,
              ConditionExpression: '#recording.#uploadId = :uploadId',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
          { Delete: { TableName: db.tableName, Key: keys.recordingWatch(ref.callId) } },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Marks a ready recording deleted, and its `segments` (their objects are gone); false when it
 * was not `ready`.
 */
export async function storeRecordingDeleted(
  db: Db,
  ref: CallRef,
  segments: readonly number[] = [],
  now = new Date(),
): Promise<boolean> {
  const segmentNames = Object.fromEntries(segments.map((n) => [`#s${n}`, String(n)]));
  const segmentSets = segments.map((n) => `, #recording.#segments.#s${n}.#status = :deleted`).join('');
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.call(ref.tenantId, ref.callId),
        UpdateExpression: `SET #recording.#status = :deleted, #recording.#deletedAt = :now${segmentSets}`,
        ConditionExpression: '#recording.#status = :ready',
        ExpressionAttributeNames: {
          '#recording': 'recording',
          '#status': 'status',
          '#deletedAt': 'deletedAt',
          ...(segments.length ? { '#segments': 'segments', ...segmentNames } : {}),
        },
        ExpressionAttributeValues: { ':deleted': 'deleted', ':ready': 'ready', ':now': now.toISOString() },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Drops a watch whose recording is no longer being written (the sweeper's cleanup). */
export async function deleteRecordingWatch(db: Db, callId: string): Promise<void> {
  await dynamo(() =>
    db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: keys.recordingWatch(callId) })),
  );
}
