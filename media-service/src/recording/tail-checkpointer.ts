import type { Db } from '#shared/data/client.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { RecordingsBucket } from '#shared/recordings/recording-objects.ts';
import { type SegmentRef, storeSegmentCheckpoint } from '#shared/recordings/segment-store.ts';
import type { RecordingCheckpoint } from '#shared/recordings/tail-checkpoints.ts';
import { deleteCheckpointObjects, putCheckpointObject } from '#shared/recordings/tail-objects.ts';
import type { RecordingSpool } from './recording-spool.ts';

export interface TailCheckpointerOptions {
  call: SegmentRef;
  target: RecordingsBucket;
  db: Db;
  logger: Logger;
  /** The segment's object key: checkpoints go under `<key>.tail/`. */
  key: string;
  spool: RecordingSpool;
  /** Bytes of WAV frames between checkpoints (RECORDING_CHECKPOINT_SECONDS of audio). */
  everyBytes: number;
  /** Spool offset of a part's region. */
  regionOf(partNumber: number): number;
  uploadId(): Promise<string>;
}

/**
 * Tail checkpoints of a recording (docs/recording.md): while a part fills, every `everyBytes` of
 * new frames are put to S3 as a small object (streamed from the spool region, so memory stays one
 * read chunk) and noted on the segment, so the sweeper can end a dead task's recording there
 * rather than at the last full part. Only the bytes since the previous checkpoint go up, and one
 * checkpoint at a time. A checkpoint that fails is retried, same number and start, with the next
 * bytes: the chain the sweeper follows has no gap. Never fails the recording.
 */
export class TailCheckpointer {
  private readonly options: TailCheckpointerOptions;
  private partNumber = 1;
  /** Where the next checkpoint of the current part starts, and its number. */
  private from = 0;
  private seq = 0;
  private fill = 0;
  /** After a failed checkpoint, the next try waits for another interval of audio. */
  private retryAt = 0;
  /** Checkpoints stored, by part: deleted once their part is stored. */
  private readonly stored = new Map<number, RecordingCheckpoint[]>();
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  /** Checkpoints stored over the call. */
  count = 0;

  constructor(options: TailCheckpointerOptions) {
    this.options = options;
  }

  /** The current part holds `fill` bytes: puts the new ones up when there are enough. */
  filled(partNumber: number, fill: number): void {
    if (partNumber !== this.partNumber) {
      this.partNumber = partNumber;
      this.from = 0;
      this.seq = 0;
      this.retryAt = 0;
    }
    this.fill = fill;
    if (this.stopped || this.inFlight || fill < this.retryAt || fill - this.from < this.options.everyBytes)
      return;
    const checkpoint = { partNumber, seq: this.seq, from: this.from, to: fill };
    this.inFlight = this.put(checkpoint).finally(() => {
      this.inFlight = undefined;
      // Audio that came while this one was put may be due already.
      this.filled(this.partNumber, this.fill);
    });
  }

  /** Resolves once no checkpoint is being put (each may start the next one that is due). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** `partNumber` is stored: its checkpoint objects go (best effort; the lifecycle expires the rest). */
  async partStored(partNumber: number): Promise<void> {
    const done = this.stored.get(partNumber);
    this.stored.delete(partNumber);
    if (done?.length) await deleteCheckpointObjects(this.options.target, this.options.key, done);
  }

  /** No more checkpoints (the recording ends); waits for the one being put. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  /** Deletes every checkpoint object left (the recording is complete or abandoned). */
  async removeAll(): Promise<void> {
    const left = [...this.stored.values()].flat();
    this.stored.clear();
    if (left.length) await deleteCheckpointObjects(this.options.target, this.options.key, left);
  }

  private async put(checkpoint: RecordingCheckpoint): Promise<void> {
    const { target, db, call, key, spool, regionOf, logger } = this.options;
    try {
      const uploadId = await this.options.uploadId();
      await putCheckpointObject(
        target,
        key,
        checkpoint,
        spool.streamRange(regionOf(checkpoint.partNumber) + checkpoint.from, checkpoint.to - checkpoint.from),
      );
      await storeSegmentCheckpoint(db, call, uploadId, checkpoint);
    } catch (error) {
      logger.warn('recording checkpoint not stored; retried with the next audio', {
        partNumber: checkpoint.partNumber,
        seq: checkpoint.seq,
        err: error,
      });
      if (checkpoint.partNumber === this.partNumber) this.retryAt = checkpoint.to + this.options.everyBytes;
      return;
    }
    const list = this.stored.get(checkpoint.partNumber) ?? [];
    list.push(checkpoint);
    this.stored.set(checkpoint.partNumber, list);
    this.count++;
    if (checkpoint.partNumber === this.partNumber) {
      this.from = checkpoint.to;
      this.seq = checkpoint.seq + 1;
    }
  }
}
