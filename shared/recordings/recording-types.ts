/** `dual`: caller left, agent right; `mono`: both mixed into one channel. */
export const RECORDING_CHANNELS = ['dual', 'mono'] as const;
export type RecordingChannels = (typeof RECORDING_CHANNELS)[number];

/**
 * Retention periods a recording may have, in days. Each has a lifecycle rule on the recordings
 * bucket that expires objects tagged with it (`retention-days=N`), so S3 itself deletes them.
 */
export const RETENTION_DAYS = [1, 7, 14, 30, 60, 90, 180, 365, 730, 1095, 1825, 2555] as const;
export type RetentionDays = (typeof RETENTION_DAYS)[number];
export const RETENTION_TAG = 'retention-days';

/**
 * `off`: not recorded (the agent does not record, or the call turned it off); `recording`: being
 * written; `ready`: complete and playable; `failed`: nothing playable was stored; `deleted`:
 * removed through the API. Expired recordings keep `ready` and are refused after `expiresAt`.
 */
export type RecordingStatus = 'off' | 'recording' | 'ready' | 'failed' | 'deleted';

/** One uploaded part of a recording's multipart upload, as CompleteMultipartUpload needs it. */
export interface RecordingPart {
  partNumber: number;
  etag: string;
  bytes: number;
}

/** The `recording` attribute of a call record. */
export interface CallRecording {
  status: RecordingStatus;
  channels?: RecordingChannels;
  retentionDays?: number;
  startedAt?: string;
  completedAt?: string;
  /** When the recording expires (completedAt + retentionDays); the API refuses it after. */
  expiresAt?: string;
  deletedAt?: string;
  durationSeconds?: number;
  /** Size of the WAV file. */
  bytes?: number;
  /** Why nothing playable was stored (`failed`). */
  failure?: string;
  // Where the file is while it is written; never shown to API clients.
  bucket?: string;
  key?: string;
  uploadId?: string;
  /** Parts uploaded so far (all but the last are at least 5 MiB), for the sweeper. */
  parts?: RecordingPart[];
}

/** The object key of a call's recording. */
export function recordingKey(tenantId: string, callId: string): string {
  return `recordings/${tenantId}/${callId}.wav`;
}

/** Seconds of audio in `bytes` of WAV data at 8 kHz, one byte per sample and channel. */
export function recordingSeconds(dataBytes: number, channels: RecordingChannels): number {
  return Math.round((dataBytes / (channels === 'dual' ? 2 : 1) / 8000) * 100) / 100;
}
