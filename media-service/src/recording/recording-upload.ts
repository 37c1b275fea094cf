import { UploadPartCommand } from '@aws-sdk/client-s3';
import type { Db } from '#shared/data/client.ts';
import type { Logger } from '#shared/logging/logger.ts';
import {
  abortRecordingUpload,
  completeRecordingUpload,
  type RecordingsBucket,
  startRecordingUpload,
} from '#shared/recordings/recording-objects.ts';
import {
  type RecordingChannels,
  type RecordingPart,
  recordingSeconds,
} from '#shared/recordings/recording-types.ts';
import {
  renewSegmentLease,
  type SegmentRef,
  storeSegmentFinished,
  storeSegmentPart,
  storeSegmentStarted,
} from '#shared/recordings/segment-store.ts';
import { WAV_HEADER_BYTES, wavMulawHeader } from '#shared/recordings/wav-header.ts';
import type { RecordingSpool } from './recording-spool.ts';
import { TailCheckpointer } from './tail-checkpointer.ts';

const LEASE_RENEW_MS = 60_000;

export interface RecordingUploadOptions {
  /** The call and this recorder's segment of it. */
  call: SegmentRef;
  channels: RecordingChannels;
  retentionDays: number;
  target: RecordingsBucket;
  db: Db;
  logger: Logger;
  key: string;
  partBytes: number;
  /** Bytes of frames between tail checkpoints of the part being filled. */
  checkpointBytes: number;
  spool: RecordingSpool;
  /** Fails the recording (first failure wins); the upload reads the outcome with `failed()`. */
  fail(failure: string, error: unknown): void;
  failed(): string | undefined;
  now(): Date;
}

/**
 * The S3 side of a call recording: the multipart upload stored on the call with the sweeper's
 * lease, WAV frames appended to the spool's part regions (three: part 1 with the header, then two
 * alternating), full parts uploaded in the background and recorded for the sweeper, completion
 * with the final header. See docs/recording.md.
 */
export class RecordingUpload {
  private readonly options: RecordingUploadOptions;
  private readonly channelCount: 1 | 2;
  private uploadId: string | undefined;
  private started: Promise<string> | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private leaseStopped = false;
  private dataBytes = 0;
  /** Part being filled: its number and bytes so far (part 1 includes the header). */
  private partNumber = 1;
  private partFill = WAV_HEADER_BYTES;
  private readonly parts: RecordingPart[] = [];
  private readonly uploads = new Map<number, Promise<void>>();
  private readonly checkpoints: TailCheckpointer;

  constructor(options: RecordingUploadOptions) {
    this.options = options;
    this.channelCount = options.channels === 'dual' ? 2 : 1;
    this.checkpoints = new TailCheckpointer({
      call: options.call,
      target: options.target,
      db: options.db,
      logger: options.logger,
      key: options.key,
      spool: options.spool,
      everyBytes: options.checkpointBytes,
      regionOf: (partNumber) => this.regionOf(partNumber),
      uploadId: () => this.requireUpload(),
    });
  }

  /** Tail checkpoints stored so far. */
  get checkpointCount(): number {
    return this.checkpoints.count;
  }

  /** Parts uploaded so far (the sweeper's view). */
  get uploadedParts(): number {
    return this.parts.length;
  }

  /** Audio bytes appended so far. */
  get audioBytes(): number {
    return this.dataBytes;
  }

  /** Creates the multipart upload beside the audio path; parts and completion wait on it. */
  start(): void {
    this.started = this.createUpload();
    // A failure is recorded by createUpload.
    this.started.catch(() => undefined);
  }

  /** Resolves once the upload is created or failed to be. */
  async whenStarted(): Promise<void> {
    await this.started?.catch(() => undefined);
  }

  /** Resolves once the parts filled so far are uploaded and the checkpoints due are stored. */
  async whenUploaded(): Promise<void> {
    await Promise.all(this.uploads.values());
    await this.checkpoints.idle();
  }

  stopLease(): void {
    this.leaseStopped = true;
    clearInterval(this.leaseTimer);
  }

  /** Appends WAV frames to the part being filled; a full part starts uploading. */
  async append(frames: Buffer): Promise<void> {
    const { spool, partBytes } = this.options;
    let done = 0;
    while (done < frames.length) {
      if (this.partFill === partBytes) await this.startNextPart();
      const length = Math.min(frames.length - done, partBytes - this.partFill);
      await spool.writeAt(
        this.regionOf(this.partNumber) + this.partFill,
        frames.subarray(done, done + length),
      );
      this.partFill += length;
      this.dataBytes += length;
      done += length;
    }
    this.checkpoints.filled(this.partNumber, this.partFill);
  }

  /**
   * Uploads the last part, puts part 1 back with the header's final sizes, and completes. A call
   * shorter than one part has only part 1, header and all. False when the sweeper finished the
   * segment first.
   */
  async complete(): Promise<boolean> {
    const { db, call, target, channels, spool, partBytes, key } = this.options;
    const uploadId = await this.requireUpload();
    // The spool has everything from here: no more checkpoints.
    await this.checkpoints.stop();
    const last = this.partNumber;
    if (last > 1 && this.partFill > 0) this.uploads.set(last, this.uploadInBackground(last, this.partFill));
    await Promise.all(this.uploads.values());
    const failure = this.options.failed();
    if (failure) throw new Error(`recording failed: ${failure}`);
    await spool.writeAt(spool.regionOffset(0), wavMulawHeader(this.channelCount, this.dataBytes));
    await this.uploadPart(1, last === 1 ? this.partFill : partBytes);
    const parts = this.parts.filter((part) => part.bytes > 0);
    await completeRecordingUpload(target, key, uploadId, parts);
    const bytes = parts.reduce((sum, part) => sum + part.bytes, 0);
    const durationSeconds = recordingSeconds(this.dataBytes, channels);
    const now = this.options.now();
    const stored = await storeSegmentFinished(db, call, uploadId, {
      status: 'ready',
      bytes,
      durationSeconds,
      completedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.options.retentionDays * 86_400_000).toISOString(),
    });
    await this.checkpoints.removeAll();
    return stored;
  }

  /** Nothing playable: the upload is aborted and the call says why. */
  async abandon(failure: string): Promise<void> {
    const { db, call, target, logger, key } = this.options;
    if (!this.uploadId) return;
    try {
      await this.checkpoints.stop();
      await abortRecordingUpload(target, key, this.uploadId);
      await storeSegmentFinished(db, call, this.uploadId, { status: 'failed', failure });
      await this.checkpoints.removeAll();
    } catch (error) {
      // The lease runs out and the sweeper tries again.
      logger.error('recording could not be abandoned', { err: error });
    }
  }

  /** Creates the multipart upload and stores it on the call with the sweeper's lease. */
  private async createUpload(): Promise<string> {
    const { call, target, db, retentionDays, channels, key } = this.options;
    try {
      const uploadId = await startRecordingUpload(target, key, retentionDays);
      this.uploadId = uploadId;
      const now = this.options.now();
      await storeSegmentStarted(
        db,
        call,
        { bucket: target.bucket, key, uploadId, channels, retentionDays, startedAt: now.toISOString() },
        now,
      );
      if (!this.leaseStopped) {
        this.leaseTimer = setInterval(() => {
          renewSegmentLease(db, call, this.options.now()).catch((error) =>
            this.options.logger.warn('recording lease not renewed', { err: error }),
          );
        }, LEASE_RENEW_MS).unref();
      }
      return uploadId;
    } catch (error) {
      this.options.fail('start_failed', error);
      throw error;
    }
  }

  private async requireUpload(): Promise<string> {
    if (!this.started) throw new Error('recording upload not started');
    return this.started;
  }

  private regionOf(partNumber: number): number {
    return this.options.spool.regionOffset(partNumber === 1 ? 0 : partNumber % 2 === 0 ? 1 : 2);
  }

  /** Uploads the full part in the background and moves on to the next part's region. */
  private async startNextPart(): Promise<void> {
    const full = this.partNumber;
    this.uploads.set(full, this.uploadInBackground(full, this.options.partBytes));
    this.partNumber = full + 1;
    this.partFill = 0;
    // The new part's region was last used two parts ago: that upload must be done.
    await this.uploads.get(this.partNumber - 2);
  }

  /** A part upload nobody awaits yet: a failure fails the recording instead of going unhandled. */
  private uploadInBackground(partNumber: number, bytes: number): Promise<void> {
    return this.uploadPart(partNumber, bytes).catch((error) => this.options.fail('upload_failed', error));
  }

  private async uploadPart(partNumber: number, bytes: number): Promise<void> {
    const { target, db, call, key, spool } = this.options;
    const uploadId = await this.requireUpload();
    const out = await target.s3.send(
      new UploadPartCommand({
        Bucket: target.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: spool.streamRange(this.regionOf(partNumber), bytes),
        ContentLength: bytes,
      }),
    );
    const part = { partNumber, etag: out.ETag ?? '', bytes };
    const index = this.parts.findIndex((p) => p.partNumber === partNumber);
    if (index >= 0) this.parts[index] = part;
    else this.parts.push(part);
    // Later uploads of part 1 (the final header) are not for the sweeper: it has the first.
    if (index >= 0) return;
    // The part replaces its checkpoints: their records go with the part's write, then the objects.
    await this.checkpoints.idle();
    await storeSegmentPart(db, call, uploadId, part);
    await this.checkpoints.partStored(partNumber);
  }
}
