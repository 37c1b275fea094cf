import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dueIndexAttributes } from '../data/due-index.ts';
import { dynamo, isConditionFailure } from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';
import { RECORDING_LEASE_MS } from './recording-store.ts';
import type {
  CallRecording,
  RecordingCheckpoint,
  RecordingPart,
  RecordingSegment,
} from './recording-types.ts';

const WATCH_TTL_SECONDS = 14 * 24 * 3600;

export interface SegmentRef {
  tenantId: string;
  callId: string;
  segment: number;
}

/** The sweeper's lease on one segment: due once its task stops renewing it. */
function segmentWatchItem(ref: SegmentRef, dueAt: Date) {
  return {
    ...keys.recordingWatch(ref.callId, ref.segment),
    ...dueIndexAttributes('recording', dueAt, `${ref.callId}#${ref.segment}`),
    type: 'recordingWatch',
    tenantId: ref.tenantId,
    callId: ref.callId,
    segment: ref.segment,
    expiresAt: Math.floor(dueAt.getTime() / 1000) + WATCH_TTL_SECONDS,
  };
}

/** Names every segment write uses: `#r.#segs.#n` is this segment. */
function segmentNames(segment: number, extra: Record<string, string> = {}) {
  return { '#r': 'recording', '#segs': 'segments', '#n': String(segment), '#rev': 'revision', ...extra };
}
const BUMP = '#r.#rev = if_not_exists(#r.#rev, :zero) + :one';
const BUMP_VALUES = { ':zero': 0, ':one': 1 };

/**
 * Records a started segment upload on the call and takes its lease, in one transaction. The
 * segment goes into `recording.segments` under its number; the first one creates the map (a call
 * whose recording was made before segments existed keeps it and gets no segments). A retry with
 * the same upload id rewrites the same entry.
 */
export async function storeSegmentStarted(
  db: Db,
  ref: SegmentRef,
  recording: Pick<CallRecording, 'channels' | 'retentionDays'> &
    Pick<RecordingSegment, 'bucket' | 'key' | 'uploadId' | 'startedAt'>,
  now = new Date(),
): Promise<void> {
  const { channels, retentionDays, ...place } = recording;
  const segment: RecordingSegment = {
    segment: ref.segment,
    status: 'recording',
    ...place,
    parts: {},
    checkpoints: {},
  };
  const watch = {
    Put: {
      TableName: db.tableName,
      Item: segmentWatchItem(ref, new Date(now.getTime() + RECORDING_LEASE_MS)),
    },
  };
  const add = {
    UpdateExpression: `SET #r.#segs.#n = :segment, #r.#status = :recording, ${BUMP}`,
    ConditionExpression:
      'attribute_exists(#r.#segs) AND (attribute_not_exists(#r.#segs.#n) OR #r.#segs.#n.#uploadId = :uploadId)',
    ExpressionAttributeNames: segmentNames(ref.segment, { '#status': 'status', '#uploadId': 'uploadId' }),
    ExpressionAttributeValues: {
      ':segment': segment,
      ':recording': 'recording',
      ':uploadId': recording.uploadId,
      ...BUMP_VALUES,
    },
  };
  const first: CallRecording = {
    status: 'recording',
    channels,
    retentionDays,
    startedAt: recording.startedAt,
    segments: { [String(ref.segment)]: segment },
    revision: 1,
  };
  const create = {
    UpdateExpression: 'SET #r = :recording',
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(#r) OR (attribute_not_exists(#r.#segs) AND attribute_not_exists(#r.#key)))',
    ExpressionAttributeNames: { '#r': 'recording', '#segs': 'segments', '#key': 'key' },
    ExpressionAttributeValues: { ':recording': first },
  };
  // Another segment may create the map between the two tries: a third try finds it.
  for (const update of [add, create, add]) {
    try {
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: db.tableName, Key: keys.call(ref.tenantId, ref.callId), ...update } },
            watch,
          ],
        }),
      );
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  throw new Error('recording segment could not be stored on the call');
}

/**
 * Stores an uploaded part of an open segment (the sweeper completes with these); idempotent. The
 * part's tail checkpoints are no longer needed and go in the same write.
 */
export async function storeSegmentPart(
  db: Db,
  ref: SegmentRef,
  uploadId: string,
  part: RecordingPart,
): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.call(ref.tenantId, ref.callId),
        UpdateExpression: 'SET #r.#segs.#n.#parts.#part = :part REMOVE #r.#segs.#n.#cps.#part',
        ConditionExpression: '#r.#segs.#n.#uploadId = :uploadId',
        ExpressionAttributeNames: {
          '#r': 'recording',
          '#segs': 'segments',
          '#n': String(ref.segment),
          '#parts': 'parts',
          '#part': String(part.partNumber),
          '#cps': 'checkpoints',
          '#uploadId': 'uploadId',
        },
        ExpressionAttributeValues: { ':part': part, ':uploadId': uploadId },
      }),
    ),
  );
}

/**
 * Stores a tail checkpoint of an open segment (its object is in S3 already) under its part and
 * sequence number; idempotent. The first of a part creates the part's entry (nothing follows it
 * until it is stored, so rewriting the entry loses nothing).
 */
export async function storeSegmentCheckpoint(
  db: Db,
  ref: SegmentRef,
  uploadId: string,
  checkpoint: RecordingCheckpoint,
): Promise<void> {
  const first = checkpoint.seq === 0;
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.call(ref.tenantId, ref.callId),
        UpdateExpression: first
          ? 'SET #r.#segs.#n.#cps.#part = :part'
          : 'SET #r.#segs.#n.#cps.#part.#seq = :checkpoint',
        ConditionExpression: '#r.#segs.#n.#uploadId = :uploadId',
        ExpressionAttributeNames: {
          '#r': 'recording',
          '#segs': 'segments',
          '#n': String(ref.segment),
          '#cps': 'checkpoints',
          '#part': String(checkpoint.partNumber),
          '#uploadId': 'uploadId',
          ...(first ? {} : { '#seq': String(checkpoint.seq) }),
        },
        ExpressionAttributeValues: {
          ...(first ? { ':part': { '0': checkpoint } } : { ':checkpoint': checkpoint }),
          ':uploadId': uploadId,
        },
      }),
    ),
  );
}

/** Pushes the segment's lease forward: the task writing it is alive. */
export async function renewSegmentLease(db: Db, ref: SegmentRef, now = new Date()): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: segmentWatchItem(ref, new Date(now.getTime() + RECORDING_LEASE_MS)),
      }),
    ),
  );
}

export type SegmentOutcome =
  | { status: 'ready'; bytes: number; durationSeconds: number; completedAt: string; expiresAt: string }
  | { status: 'failed'; failure: string };

/**
 * Ends the writing of one segment (`ready` with its size and expiry, or `failed`), only while it
 * still holds upload `uploadId`: the recorder and the sweeper never both finish it; false when
 * the other one did. Its lease goes with it. The call-level status is recomputed afterwards
 * (settleRecording).
 */
export async function storeSegmentFinished(
  db: Db,
  ref: SegmentRef,
  uploadId: string,
  outcome: SegmentOutcome,
): Promise<boolean> {
  const names: Record<string, string> = segmentNames(ref.segment, {
    '#uploadId': 'uploadId',
    '#parts': 'parts',
    '#cps': 'checkpoints',
  });
  const values: Record<string, unknown> = { ':uploadId': uploadId, ...BUMP_VALUES };
  const sets = Object.entries(outcome).map(([field, value]) => {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    return `#r.#segs.#n.#${field} = :${field}`;
  });
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.call(ref.tenantId, ref.callId),
              UpdateExpression: `SET ${sets.join(', ')}, ${BUMP} REMOVE #r.#segs.#n.#uploadId, #r.#segs.#n.#parts, #r.#segs.#n.#cps`,
              ConditionExpression: '#r.#segs.#n.#uploadId = :uploadId',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
          { Delete: { TableName: db.tableName, Key: keys.recordingWatch(ref.callId, ref.segment) } },
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
 * Notes that the call ended on the task recording its last segment, so the recording is
 * announced once every earlier segment is settled too. A call without segments is left alone.
 */
export async function storeRecordingCallOver(db: Db, ref: Omit<SegmentRef, 'segment'>): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.call(ref.tenantId, ref.callId),
        UpdateExpression: `SET #r.#over = :true, ${BUMP}`,
        ConditionExpression: 'attribute_exists(#r.#segs)',
        ExpressionAttributeNames: {
          '#r': 'recording',
          '#segs': 'segments',
          '#over': 'callOver',
          '#rev': 'revision',
        },
        ExpressionAttributeValues: { ':true': true, ...BUMP_VALUES },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
