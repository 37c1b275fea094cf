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
import type { CallRecording } from '../recordings/recording-types.ts';
import { requireCall } from './call-deps.ts';
import type { RecordingLinkSchema } from '../api/call-schemas.ts';

export interface RecordingDeps {
  db: Db;
  target: RecordingsBucket;
  urlTtlSeconds: number;
  now?: Date;
}

type StoredRecording = CallRecording & { key: string; durationSeconds: number; bytes: number };

/**
 * The call's stored recording, or the 4xx saying why there is none: 404 (not recorded, failed,
 * deleted, expired; `details.reason`), 409 while it is still being written.
 */
function requireStoredRecording(call: Call, now: Date): StoredRecording {
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
  if (recording.expiresAt && Date.parse(recording.expiresAt) <= now.getTime())
    throw missing('recording_expired', 'The recording of this call has expired.');
  if (!recording.key) throw missing('not_recorded', 'This call was not recorded.');
  return recording as StoredRecording;
}

/** A short-lived playback link of the call's recording (GET /v1/calls/{id}/recording). */
export async function recordingLink(
  deps: RecordingDeps,
  tenantId: string,
  callId: string,
): Promise<z.output<typeof RecordingLinkSchema>> {
  const now = deps.now ?? new Date();
  const recording = requireStoredRecording(await requireCall(deps.db, tenantId, callId), now);
  const url = await presignRecording(deps.target, recording.key, deps.urlTtlSeconds, `${callId}.wav`);
  return {
    url,
    expiresAt: new Date(now.getTime() + deps.urlTtlSeconds * 1000).toISOString(),
    durationSeconds: recording.durationSeconds,
    channels: recording.channels ?? 'dual',
    bytes: recording.bytes,
  };
}

/** Deletes the call's recording (DELETE /v1/calls/{id}/recording); the call keeps `status: deleted`. */
export async function deleteCallRecording(
  deps: RecordingDeps,
  tenantId: string,
  callId: string,
): Promise<void> {
  const call = await requireCall(deps.db, tenantId, callId);
  const recording = call.recording;
  // An expired recording may still be deleted at once rather than waiting for the lifecycle.
  const stored = requireStoredRecording(call, new Date(0));
  if (recording?.status !== 'ready') return;
  await deleteRecordingObject(deps.target, stored.key);
  await storeRecordingDeleted(deps.db, { tenantId, callId }, deps.now);
}
