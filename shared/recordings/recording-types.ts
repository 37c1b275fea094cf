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

/**
 * One tail checkpoint: bytes `[from, to)` of upload part `partNumber` (part-relative; part 1
 * starts with the WAV header), put to S3 as its own object while the part was still filling, so
 * a dead task's sweeper can end the recording there (shared/recordings/tail-checkpoints.ts).
 * Checkpoints of a part follow on: `seq` 0 starts at 0, each next one where the one before ended.
 */
export interface RecordingCheckpoint {
  partNumber: number;
  seq: number;
  from: number;
  to: number;
}

/** The state of one segment: `recording` while its upload is open, then `ready` or `failed`. */
export type SegmentStatus = 'recording' | 'ready' | 'failed' | 'deleted';

/**
 * One recorder run of a call: the call's first media task records segment 0, each task that
 * resumes the call (docs/failover.md) records the next, into its own object and upload. Stored in
 * the call's `recording.segments`, keyed by segment number, so every write is idempotent.
 */
export interface RecordingSegment {
  segment: number;
  status: SegmentStatus;
  /** When this segment's recorder started (the caller heard it from here). */
  startedAt: string;
  completedAt?: string;
  /** completedAt + retentionDays: S3 expires each segment's object on its own. */
  expiresAt?: string;
  durationSeconds?: number;
  bytes?: number;
  failure?: string;
  bucket: string;
  key: string;
  /** Open multipart upload (while `recording`). */
  uploadId?: string;
  /** Parts uploaded so far, keyed by part number (a retried write stores the same entry). */
  parts?: Record<string, RecordingPart>;
  /**
   * Tail checkpoints of the parts not uploaded yet, keyed by part number, then sequence number (a
   * retried write stores the same entry); a part's entry goes when the part is stored.
   */
  checkpoints?: Record<string, Record<string, RecordingCheckpoint>>;
}

/** The `recording` attribute of a call record. */
export interface CallRecording {
  /** Recomputed from `segments` whenever one settles (summarizeRecording). */
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
  /** The call's segments by number (recordings made before segments have none: `key` is theirs). */
  segments?: Record<string, RecordingSegment>;
  /** Segments that failed while others were stored (a `ready` recording with a gap). */
  failedSegments?: number[];
  /** Bumped by every segment write; the summary is written only over the revision it read. */
  revision?: number;
  /** The call ended on the task that recorded its last segment. */
  callOver?: boolean;
  /** When `call.recording_ready` was claimed for this call: it is announced once. */
  readyAnnouncedAt?: string;
}

/** The object key of a call's recording segment; segment 0 keeps the key of unsegmented recordings. */
export function recordingKey(tenantId: string, callId: string, segment = 0): string {
  return `recordings/${tenantId}/${callId}${segment === 0 ? '' : `-${segment}`}.wav`;
}

/** Seconds of audio in `bytes` of WAV data at 8 kHz, one byte per sample and channel. */
export function recordingSeconds(dataBytes: number, channels: RecordingChannels): number {
  return Math.round((dataBytes / (channels === 'dual' ? 2 : 1) / 8000) * 100) / 100;
}
