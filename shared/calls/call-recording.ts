import type { z } from 'zod';
import type { Call } from './call-types.ts';
import type { Db } from '../data/client.ts';
import { ConflictError, NotFoundError } from '../errors/app-error.ts';
import {
  deleteRecordingObject,
  presignRecording,
  type RecordingsBucket,
} from '../recordings/recording-objects.ts';
import { storeRecordingDeleted } from '../recordings/recording-store.ts';
import { recordingSegments, segmentOffsetSeconds } from '../recordings/recording-segments.ts';
import type { RecordingSegment } from '../recordings/recording-types.ts';
import { requireCall } from './call-deps.ts';
import type { RecordingLinkSchema } from '../api/call-schemas.ts';

export interface RecordingDeps {
  db: Db;
  target: RecordingsBucket;
  urlTtlSeconds: number;
  now?: Date;
}

/**
 * The call's stored segments, or the 4xx saying why there is none: 404 (not recorded, failed,
 * deleted, expired; `details.reason`), 409 while a segment is still being written. Segments that
 * failed or expired are left out; the rest are in call order.
 */
function requireStoredSegments(call: Call, now: Date): RecordingSegment[] {
  const recording = call.recording;
  if (recording?.status === 'recording') {
    throw new ConflictError(
      'The recording is still being written; it is ready shortly after the call ends.',
      {
        details: { reason: 'recording_in_progress' },
      },
    );
  }
  const missing = (reason: string, message: string) => new NotFoundError(message, { details: { reason } });
  if (!recording || recording.status === 'off') throw missing('not_recorded', 'This call was not recorded.');
  if (recording.status === 'failed') throw missing('recording_failed', 'The recording of this call failed.');
  if (recording.status === 'deleted')
    throw missing('recording_deleted', 'The recording of this call was deleted.');
  const ready = recordingSegments(recording).filter((s) => s.status === 'ready' && s.key);
  if (ready.length === 0) throw missing('not_recorded', 'This call was not recorded.');
  const live = ready.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now.getTime());
  if (live.length === 0) throw missing('recording_expired', 'The recording of this call has expired.');
  return live;
}

/**
 * Short-lived playback links of the call's recording (GET /v1/calls/{id}/recording): one per
 * segment (a call resumed on another media task has several, in order), and at the top the first
 * segment's link with the lengths and sizes summed.
 */
export async function recordingLink(
  deps: RecordingDeps,
  tenantId: string,
  callId: string,
): Promise<z.output<typeof RecordingLinkSchema>> {
  const now = deps.now ?? new Date();
  const call = await requireCall(deps.db, tenantId, callId);
  const stored = requireStoredSegments(call, now);
  const channels = call.recording?.channels ?? 'dual';
  const expiresAt = new Date(now.getTime() + deps.urlTtlSeconds * 1000).toISOString();
  const first = recordingSegments(call.recording)[0] ?? (stored[0] as RecordingSegment);
  const segments = await Promise.all(
    stored.map(async (segment) => ({
      segment: segment.segment,
      url: await presignRecording(
        deps.target,
        segment.key,
        deps.urlTtlSeconds,
        `${callId}${segment.segment === 0 ? '' : `-${segment.segment}`}.wav`,
      ),
      expiresAt,
      durationSeconds: segment.durationSeconds ?? 0,
      channels,
      bytes: segment.bytes ?? 0,
      ...(segment.startedAt ? { startedAt: segment.startedAt } : {}),
      offsetSeconds: segmentOffsetSeconds(first, segment),
    })),
  );
  const total = (field: 'durationSeconds' | 'bytes') =>
    Math.round(segments.reduce((sum, s) => sum + s[field], 0) * 100) / 100;
  return {
    url: segments[0]?.url as string,
    expiresAt,
    durationSeconds: total('durationSeconds'),
    channels,
    bytes: total('bytes'),
    segments,
  };
}

/**
 * Deletes the call's recording, every segment's object (DELETE /v1/calls/{id}/recording); the
 * call keeps `status: deleted`.
 */
export async function deleteCallRecording(
  deps: RecordingDeps,
  tenantId: string,
  callId: string,
): Promise<void> {
  const call = await requireCall(deps.db, tenantId, callId);
  const recording = call.recording;
  // An expired recording may still be deleted at once rather than waiting for the lifecycle.
  const stored = requireStoredSegments(call, new Date(0));
  if (recording?.status !== 'ready') return;
  for (const segment of stored) await deleteRecordingObject(deps.target, segment.key);
  await storeRecordingDeleted(
    deps.db,
    { tenantId, callId },
    recording.segments ? stored.map((s) => s.segment) : [],
    deps.now,
  );
}
