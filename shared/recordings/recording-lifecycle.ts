import { RETENTION_DAYS, RETENTION_TAG } from './recording-types.ts';

/** Days after which S3 aborts a multipart upload nobody completed (the sweeper normally does it first). */
export const ABORT_INCOMPLETE_UPLOADS_DAYS = 1;

export interface RecordingLifecycleRule {
  id: string;
  /** Objects tagged `retention-days=N` expire after N days. */
  tagValue?: string;
  expirationDays?: number;
  abortIncompleteUploadDays?: number;
}

/**
 * The recordings bucket's lifecycle, declared once for CDK and the local emulator: one expiry rule
 * per allowed retention (each recording is tagged with its own), and incomplete uploads aborted.
 */
export function recordingLifecycleRules(): RecordingLifecycleRule[] {
  return [
    { id: 'abort-incomplete-uploads', abortIncompleteUploadDays: ABORT_INCOMPLETE_UPLOADS_DAYS },
    ...RETENTION_DAYS.map((days) => ({
      id: `expire-after-${days}-days`,
      tagValue: String(days),
      expirationDays: days,
    })),
  ];
}

export { RETENTION_TAG };
