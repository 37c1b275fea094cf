import type { CallRecording, RecordingPart, RecordingSegment, RecordingStatus } from './recording-types.ts';

/**
 * A call's segments in order. A recording made before segments existed is its own segment 0
 * (its key, sizes and expiry are the recording's), so old recordings read like new ones.
 */
export function recordingSegments(recording: CallRecording | undefined): RecordingSegment[] {
  if (!recording) return [];
  if (recording.segments) return Object.values(recording.segments).sort((a, b) => a.segment - b.segment);
  if (!recording.key || !recording.bucket) return [];
  const legacyStatus = recording.status === 'off' ? undefined : recording.status;
  if (!legacyStatus) return [];
  return [
    {
      segment: 0,
      status: legacyStatus,
      startedAt: recording.startedAt ?? '',
      bucket: recording.bucket,
      key: recording.key,
      ...(recording.completedAt ? { completedAt: recording.completedAt } : {}),
      ...(recording.expiresAt ? { expiresAt: recording.expiresAt } : {}),
      ...(recording.durationSeconds !== undefined ? { durationSeconds: recording.durationSeconds } : {}),
      ...(recording.bytes !== undefined ? { bytes: recording.bytes } : {}),
    },
  ];
}

/** A segment's uploaded parts in part order, as CompleteMultipartUpload needs them. */
export function segmentParts(segment: Pick<RecordingSegment, 'parts'>): RecordingPart[] {
  return Object.values(segment.parts ?? {}).sort((a, b) => a.partNumber - b.partNumber);
}

/** The call-level fields recomputed from the segments, and whether `call.recording_ready` is due. */
export interface RecordingSummary {
  status: RecordingStatus;
  durationSeconds?: number;
  bytes?: number;
  completedAt?: string;
  expiresAt?: string;
  failure?: string;
  failedSegments?: number[];
  /** The call is over, every segment settled, one at least stored, and nobody announced it yet. */
  announce: boolean;
}

const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 100) / 100;
const latest = (values: (string | undefined)[]) =>
  values
    .filter((v): v is string => Boolean(v))
    .sort()
    .at(-1);

/**
 * The call's recording as a whole: `recording` while any segment is still written; `ready` once
 * every segment settled and one at least was stored (failed ones listed in `failedSegments`);
 * `failed` when none was; `deleted` stays. Undefined when there is nothing to recompute.
 */
export function summarizeRecording(
  recording: CallRecording | undefined,
  call: { ended: boolean },
): RecordingSummary | undefined {
  if (!recording?.segments || recording.status === 'deleted' || recording.status === 'off') return undefined;
  const segments = recordingSegments(recording);
  if (segments.length === 0) return undefined;
  if (segments.some((s) => s.status === 'recording')) return { status: 'recording', announce: false };
  const ready = segments.filter((s) => s.status === 'ready');
  const failed = segments.filter((s) => s.status === 'failed');
  if (ready.length === 0) {
    if (failed.length === 0) return { status: 'deleted', announce: false };
    return { status: 'failed', failure: failed[0]?.failure ?? 'failed', announce: false };
  }
  const completedAt = latest(ready.map((s) => s.completedAt));
  const expiresAt = latest(ready.map((s) => s.expiresAt));
  return {
    status: 'ready',
    durationSeconds: sum(ready.map((s) => s.durationSeconds ?? 0)),
    bytes: sum(ready.map((s) => s.bytes ?? 0)),
    ...(completedAt ? { completedAt } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    ...(failed.length > 0 ? { failedSegments: failed.map((s) => s.segment) } : {}),
    announce: (call.ended || recording.callOver === true) && !recording.readyAnnouncedAt,
  };
}

/** Seconds from the first segment's start to `segment`'s (where it sits in the call). */
export function segmentOffsetSeconds(first: RecordingSegment, segment: RecordingSegment): number {
  const from = Date.parse(first.startedAt);
  const at = Date.parse(segment.startedAt);
  if (Number.isNaN(from) || Number.isNaN(at)) return 0;
  return Math.max(0, Math.round((at - from) / 10) / 100);
}
