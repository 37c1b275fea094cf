import type { SQSClient } from '@aws-sdk/client-sqs';
import { getCall } from '../data/calls.ts';
import type { Db } from '../data/client.ts';
import { listDue } from '../data/due-index.ts';
import type { Logger } from '../logging/logger.ts';
import { publishCallEventDurably } from '../queues/durable-publish.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import {
  abortRecordingUpload,
  completeRecordingUpload,
  finalizeRecordingHeader,
  type RecordingsBucket,
} from './recording-objects.ts';
import { deleteDue } from '../data/due-index.ts';
import { keys } from '../data/keys.ts';
import { segmentParts } from './recording-segments.ts';
import { settleRecording } from './recording-settle.ts';
import { deleteRecordingWatch, storeRecordingFinished } from './recording-store.ts';
import { recordingSeconds } from './recording-types.ts';
import { type SegmentRef, storeSegmentFinished } from './segment-store.ts';
import { sweepPlan } from './tail-checkpoints.ts';
import { deleteCheckpointObjects, uploadTailPart } from './tail-objects.ts';
import { WAV_HEADER_BYTES } from './wav-header.ts';

/** Recordings looked at per sweep (every minute). */
const SWEEP_LIMIT = 25;

export interface RecordingSweepDeps {
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  logger: Logger;
  target: RecordingsBucket;
  publishTimeoutMs?: number;
  now?: Date;
}

/**
 * Finishes recording segments whose media task stopped renewing their lease (it died mid-call):
 * the parts it uploaded plus a last part assembled from its tail checkpoints are completed into a
 * playable WAV (the header gets its exact sizes), or the upload is aborted when there is neither.
 * Audio still on the dead task's disk is lost: at most one checkpoint interval plus the settle
 * window (docs/recording.md). Each segment has its own lease and is finished on
 * its own; the call's status is then recomputed and `call.recording_ready` sent once the call is
 * over and every segment settled. Idempotent; overlapping sweeps and a recorder finishing late
 * are settled by the segment's upload id.
 */
export async function sweepRecordings(
  deps: RecordingSweepDeps,
): Promise<{ completed: number; aborted: number; failed: number }> {
  const now = deps.now ?? new Date();
  const due = await listDue(deps.db, 'recording', now, SWEEP_LIMIT);
  const result = { completed: 0, aborted: 0, failed: 0 };
  for (const item of due) {
    const tenantId = String(item.tenantId);
    const callId = String(item.callId);
    try {
      const outcome =
        typeof item.segment === 'number'
          ? await sweepSegment(deps, { tenantId, callId, segment: item.segment }, now)
          : await sweepOne(deps, tenantId, callId, now);
      if (outcome !== 'skipped') result[outcome]++;
    } catch (error) {
      result.failed++;
      deps.logger.error('recording sweep failed; retried next run', { callId, err: error });
    }
  }
  return result;
}

async function sweepSegment(
  deps: RecordingSweepDeps,
  ref: SegmentRef,
  now: Date,
): Promise<'completed' | 'aborted' | 'skipped'> {
  const call = await getCall(deps.db, ref.tenantId, ref.callId);
  const segment = call?.recording?.segments?.[String(ref.segment)];
  if (!call || segment?.status !== 'recording' || !segment.uploadId) {
    await deleteDue(deps.db, keys.recordingWatch(ref.callId, ref.segment));
    return 'skipped';
  }
  const { uploadId, key } = segment;
  const checkpoints = Object.values(segment.checkpoints ?? {}).flatMap((part) => Object.values(part));
  const plan = sweepPlan(segmentParts(segment), checkpoints);
  const tail = plan.tail && (await uploadTailPart(deps.target, key, uploadId, plan.tail));
  // A part 1 of the header alone holds no audio.
  const parts =
    tail && (tail.partNumber > 1 || tail.bytes > WAV_HEADER_BYTES) ? [...plan.parts, tail] : plan.parts;
  const retentionDays = call.recording?.retentionDays ?? 30;
  const log = { callId: ref.callId, segment: ref.segment };
  if (parts.length === 0) {
    await abortRecordingUpload(deps.target, key, uploadId);
    await storeSegmentFinished(deps.db, ref, uploadId, { status: 'failed', failure: 'media_task_lost' });
    await deleteCheckpointObjects(deps.target, key, checkpoints);
    await settleRecording(deps, ref, now);
    deps.logger.warn('recording segment lost with its media task before any audio was uploaded', log);
    return 'aborted';
  }
  await completeRecordingUpload(deps.target, key, uploadId, parts);
  const { bytes, dataBytes } = await finalizeRecordingHeader(deps.target, key, parts, retentionDays);
  const stored = await storeSegmentFinished(deps.db, ref, uploadId, {
    status: 'ready',
    bytes,
    durationSeconds: recordingSeconds(dataBytes, call.recording?.channels ?? 'dual'),
    completedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + retentionDays * 86_400_000).toISOString(),
  });
  if (!stored) return 'skipped';
  await deleteCheckpointObjects(deps.target, key, checkpoints);
  await settleRecording(deps, ref, now);
  deps.logger.info('recording segment of a lost media task completed', {
    ...log,
    parts: parts.length,
    checkpoints: plan.tail?.checkpoints.length ?? 0,
    bytes,
  });
  return 'completed';
}

/** A recording started before segments existed (one upload on the call itself). */
async function sweepOne(
  deps: RecordingSweepDeps,
  tenantId: string,
  callId: string,
  now: Date,
): Promise<'completed' | 'aborted' | 'skipped'> {
  const call = await getCall(deps.db, tenantId, callId);
  const recording = call?.recording;
  if (!call || recording?.status !== 'recording' || !recording.uploadId || !recording.key) {
    await deleteRecordingWatch(deps.db, callId);
    return 'skipped';
  }
  const ref = { tenantId, callId };
  const { uploadId, key } = recording;
  const parts = recording.parts ?? [];
  const retentionDays = recording.retentionDays ?? 30;
  if (parts.length === 0) {
    await abortRecordingUpload(deps.target, key, uploadId);
    await storeRecordingFinished(deps.db, ref, uploadId, { status: 'failed', failure: 'media_task_lost' });
    deps.logger.warn('recording lost with its media task before a part was uploaded', { callId });
    return 'aborted';
  }
  await completeRecordingUpload(deps.target, key, uploadId, parts);
  const { bytes, dataBytes } = await finalizeRecordingHeader(deps.target, key, parts, retentionDays);
  const channels = recording.channels ?? 'dual';
  const durationSeconds = recordingSeconds(dataBytes, channels);
  const stored = await storeRecordingFinished(deps.db, ref, uploadId, {
    status: 'ready',
    bytes,
    durationSeconds,
    completedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + retentionDays * 86_400_000).toISOString(),
  });
  if (!stored) return 'skipped';
  await publishCallEventDurably(
    {
      db: deps.db,
      sqs: deps.sqs,
      queueUrls: deps.queueUrls,
      logger: deps.logger,
      publishTimeoutMs: deps.publishTimeoutMs,
    },
    {
      type: 'call.recording_ready',
      tenantId,
      callId,
      agentId: call.agentId,
      durationSeconds,
      channels,
      bytes,
    },
  );
  deps.logger.info('recording of a lost media task completed', { callId, parts: parts.length, bytes });
  return 'completed';
}
