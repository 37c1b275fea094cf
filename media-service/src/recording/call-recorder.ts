import type { Db } from '#shared/data/client.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { DurablePublishDeps } from '#shared/queues/durable-publish.ts';
import type { RecordingsBucket } from '#shared/recordings/recording-objects.ts';
import { type RecordingAnnouncement, settleRecording } from '#shared/recordings/recording-settle.ts';
import { type RecordingChannels, recordingKey } from '#shared/recordings/recording-types.ts';
import { storeRecordingCallOver } from '#shared/recordings/segment-store.ts';
import { wavMulawHeader } from '#shared/recordings/wav-header.ts';
import type { AgentAudioCut, AudioTap, TapCloseInfo } from '../session/audio-taps.ts';
import type { AgentAudioChunk, TransportAudioFormat } from '../session/call-transport.ts';
import { Pcm24kToMulaw8k } from './downsampler.ts';
import { alawToMulaw, MULAW_SILENCE } from './g711.ts';
import { interleave, mix } from './recording-frames.ts';
import { RecordingSpool } from './recording-spool.ts';
import { RecordingUpload } from './recording-upload.ts';
import { RecordingTimeline, type Span } from './recording-timeline.ts';

/** S3's smallest part (all but the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** Audio is written out this far behind the caller's clock, so a late barge-in cut still applies. */
export const SETTLE_SAMPLES = 2 * 8000;
/** Written out once a second of audio has settled... */
const STEP_SAMPLES = 8000;
/** ...in chunks of 250 ms, so encoding holds 8 KB at a time (dual). */
const ENCODE_CHUNK_SAMPLES = 2000;
/** Tail checkpoints by default every 30 s of audio (docs/recording.md). */
export const DEFAULT_CHECKPOINT_SECONDS = 30;
/** Agent audio may be placed this far ahead of the caller (a long reply sent at once): 5 minutes. */
const RING_SAMPLES = 5 * 60 * 8000;
/**
 * Audio waiting for the disk is capped here (with the 8 KB encode chunk and the 8 KB read buffers
 * of a part upload and a tail checkpoint, a call's recorder holds at most 64 KB of audio). Audio
 * beyond it (a disk that cannot keep up) is recorded as silence, keeping both tracks aligned, and
 * logged.
 */
export const MAX_BUFFERED_BYTES = 40 * 1024;

export interface CallRecorderOptions {
  call: { tenantId: string; callId: string; agentId: string };
  /** This recorder's segment of the call: 0 on the first task, the resume count after (docs/recording.md). */
  segment?: number;
  channels: RecordingChannels;
  retentionDays: number;
  format: TransportAudioFormat;
  target: RecordingsBucket;
  db: Db;
  logger: Logger;
  spoolDir: string;
  /** Where `call.recording_ready` is published (once per call, by whoever settles the last segment). */
  publish: Pick<DurablePublishDeps, 'sqs' | 'queueUrls' | 'publishTimeoutMs'>;
  /** Told when this recorder announced the call's recording (`call.recording_ready` sent). */
  onReady?(ready: RecordingAnnouncement): void | Promise<void>;
  /** Part size; MIN_PART_BYTES unless a test needs smaller parts. */
  partBytes?: number;
  /** Seconds of audio between tail checkpoints (RECORDING_CHECKPOINT_SECONDS). */
  checkpointSeconds?: number;
  now?: () => Date;
}

/**
 * Records one call as a WAV (8 kHz μ-law; dual: caller left, agent right) streamed to S3 in a
 * multipart upload while the call runs. An audio tap: callbacks convert and place the audio
 * synchronously (a few hundred bytes each) and queue the disk and network work, which runs in
 * order on one promise chain. See docs/recording.md.
 */
export class CallRecorder implements AudioTap {
  private readonly options: CallRecorderOptions;
  private readonly timeline = new RecordingTimeline();
  private readonly channelCount: 1 | 2;
  private readonly partBytes: number;
  private readonly key: string;
  private readonly segment: number;
  private readonly callerPcm = new Pcm24kToMulaw8k();
  private readonly agentPcm = new Pcm24kToMulaw8k();
  private work: Promise<void>;
  private spool: RecordingSpool | undefined;
  private upload: RecordingUpload | undefined;
  private failure: string | undefined;
  /** Track bytes waiting for the disk, in runs of consecutive positions. */
  private pendingWrites: { track: 'caller' | 'agent'; position: number; chunks: Buffer[]; bytes: number }[] =
    [];
  private flushQueued = false;
  /** Caller audio dropped because the disk fell behind: silence in the recording. */
  private callerGaps: Span[] = [];
  /** Audio bytes dropped that way over the call. */
  droppedBytes = 0;
  private encodeQueuedTo = 0;
  private buffered = 0;
  /** Tail checkpoints stored so far (tests). */
  get checkpointCount(): number {
    return this.upload?.checkpointCount ?? 0;
  }
  /** Highest `buffered` seen: the recorder's audio memory (see docs/recording.md). */
  peakBufferedBytes = 0;
  private closing = false;

  constructor(options: CallRecorderOptions) {
    this.options = options;
    this.channelCount = options.channels === 'dual' ? 2 : 1;
    this.partBytes = options.partBytes ?? MIN_PART_BYTES;
    this.segment = options.segment ?? 0;
    this.key = recordingKey(options.call.tenantId, options.call.callId, this.segment);
    this.work = this.begin();
  }

  callerAudio(audio: Buffer | string): void {
    if (this.stopped) return;
    const mulaw = this.toMulaw(audio, this.callerPcm);
    const span = this.timeline.addCaller(mulaw.length);
    if (this.overloaded(mulaw.length)) {
      const last = this.callerGaps[this.callerGaps.length - 1];
      if (last && last.end === span.start) last.end = span.end;
      else this.callerGaps.push(span);
    } else {
      this.queueWrite('caller', span.start, mulaw);
    }
    const upTo = this.timeline.callerSamples - SETTLE_SAMPLES;
    if (upTo - Math.max(this.timeline.settled, this.encodeQueuedTo) >= STEP_SAMPLES) {
      this.encodeQueuedTo = upTo;
      this.enqueue(() => this.encode(upTo));
    }
  }

  agentAudio(itemId: string, audio: AgentAudioChunk): void {
    if (this.stopped) return;
    const mulaw = this.toMulaw(Buffer.from(audio.base64, 'base64'), this.agentPcm);
    if (mulaw.length === 0) return;
    if (this.timeline.agentLead + mulaw.length > RING_SAMPLES - SETTLE_SAMPLES - STEP_SAMPLES) {
      this.options.logger.warn('recording: agent audio too far ahead; not recorded', { itemId });
      return;
    }
    if (this.overloaded(mulaw.length)) return; // not placed: silence where it would have played
    const span = this.timeline.placeAgent(itemId, mulaw.length);
    this.queueWrite('agent', span.start, mulaw);
  }

  agentCut(cut: AgentAudioCut): void {
    if (this.stopped) return;
    this.timeline.cut(cut.itemId, cut.audioEndMs);
  }

  /**
   * Resolves once the upload is created (or failed to be), the audio so far is on disk and the
   * parts filled so far are uploaded.
   */
  async whenIdle(): Promise<void> {
    await this.work;
    await this.upload?.whenStarted();
    await this.upload?.whenUploaded();
  }

  /**
   * Writes out the rest, completes the upload and stores the segment, then recomputes the call's
   * recording (announced once the call is over and every segment settled); never throws. A call
   * that continues on another task (`callOver: false`) records its next segment there.
   */
  async close(_reason?: string, info: TapCloseInfo = { callOver: true }): Promise<void> {
    this.closing = true;
    this.upload?.stopLease();
    await this.work;
    await this.upload?.whenStarted();
    this.upload?.stopLease();
    try {
      if (!this.failure) {
        await this.encode(this.timeline.callerSamples);
        await this.requireUpload().complete();
      }
    } catch (error) {
      this.fail('upload_failed', error);
    } finally {
      await this.spool?.remove();
    }
    if (this.failure) await this.upload?.abandon(this.failure);
    await this.settle(info.callOver);
  }

  private async settle(callOver: boolean): Promise<void> {
    const { db, logger, publish, call, onReady } = this.options;
    const ref = { tenantId: call.tenantId, callId: call.callId };
    try {
      if (callOver) await storeRecordingCallOver(db, ref);
      const announced = await settleRecording({ db, logger, ...publish }, ref, this.now());
      if (announced) await onReady?.(announced);
    } catch (error) {
      logger.error('recording status not recomputed', { err: error });
    }
  }

  private get stopped(): boolean {
    return this.closing || this.failure !== undefined;
  }

  /** Opens the spool (the audio path waits on the disk only); the upload starts beside it. */
  private async begin(): Promise<void> {
    try {
      this.spool = await RecordingSpool.create(
        this.options.spoolDir,
        this.options.call.callId,
        RING_SAMPLES,
        this.partBytes,
      );
      await this.spool.writeAt(this.spool.regionOffset(0), wavMulawHeader(this.channelCount));
    } catch (error) {
      this.fail('spool_failed', error);
      return;
    }
    const { call, channels, retentionDays, target, db, logger } = this.options;
    this.upload = new RecordingUpload({
      call: { tenantId: call.tenantId, callId: call.callId, segment: this.segment },
      channels,
      retentionDays,
      target,
      db,
      logger,
      key: this.key,
      partBytes: this.partBytes,
      checkpointBytes:
        (this.options.checkpointSeconds ?? DEFAULT_CHECKPOINT_SECONDS) * 8000 * this.channelCount,
      spool: this.spool,
      fail: (failure, error) => this.fail(failure, error),
      failed: () => this.failure,
      now: () => this.now(),
    });
    this.upload.start();
  }

  private toMulaw(audio: Buffer | string, pcm: Pcm24kToMulaw8k): Buffer {
    const bytes = typeof audio === 'string' ? Buffer.from(audio, 'base64') : audio;
    const { format } = this.options;
    if (format.type === 'audio/pcm') return pcm.convert(bytes);
    if (format.type === 'audio/pcma') return alawToMulaw(bytes);
    return typeof audio === 'string' ? bytes : Buffer.from(bytes); // the transport may reuse its buffer
  }

  private requireUpload(): RecordingUpload {
    if (!this.upload) throw new Error('recording upload not started');
    return this.upload;
  }

  private requireSpool(): RecordingSpool {
    if (!this.spool) throw new Error('recording spool not open');
    return this.spool;
  }

  /**
   * Holds track bytes for the disk, merged with the previous run of the same track when they
   * follow on, so a burst of small chunks becomes one write.
   */
  private queueWrite(track: 'caller' | 'agent', position: number, bytes: Buffer): void {
    this.buffered += bytes.length;
    this.peakBufferedBytes = Math.max(this.peakBufferedBytes, this.buffered);
    const last = this.pendingWrites.findLast((run) => run.track === track);
    if (last && last.position + last.bytes === position) {
      last.chunks.push(bytes);
      last.bytes += bytes.length;
    } else {
      this.pendingWrites.push({ track, position, chunks: [bytes], bytes: bytes.length });
    }
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.enqueue(() => this.flushWrites());
  }

  private async flushWrites(): Promise<void> {
    this.flushQueued = false;
    const runs = this.pendingWrites;
    this.pendingWrites = [];
    const spool = this.requireSpool();
    for (const run of runs) {
      await spool.writeTrack(
        run.track,
        run.position,
        run.chunks.length === 1 ? (run.chunks[0] as Buffer) : Buffer.concat(run.chunks),
      );
      this.buffered -= run.bytes;
    }
  }

  /** Whether `bytes` more would exceed the memory cap; such audio is dropped (logged once). */
  private overloaded(bytes: number): boolean {
    if (this.buffered + bytes <= MAX_BUFFERED_BYTES) return false;
    if (this.droppedBytes === 0)
      this.options.logger.warn('recording: the disk does not keep up; audio recorded as silence', {
        buffered: this.buffered,
      });
    this.droppedBytes += bytes;
    return true;
  }

  /** Queues disk or network work after what is queued (one promise chain, in order). */
  private enqueue(step: () => Promise<void>): void {
    this.work = this.work.then(async () => {
      if (this.failure) return;
      try {
        await step();
      } catch (error) {
        this.fail('spool_failed', error);
      }
    });
  }

  /** Writes the timeline up to `upTo` out as WAV frames (caller and agent, silence between). */
  private async encode(upTo: number): Promise<void> {
    const from = this.timeline.settled;
    if (upTo <= from || this.failure) return;
    const spool = this.requireSpool();
    const agentSpans = this.timeline.agentWithin(from, upTo);
    this.timeline.settle(upTo);
    const gaps = this.callerGaps.filter((gap) => gap.start < upTo && gap.end > from);
    this.callerGaps = this.callerGaps.filter((gap) => gap.end > upTo);
    for (let start = from; start < upTo; start += ENCODE_CHUNK_SAMPLES) {
      const end = Math.min(start + ENCODE_CHUNK_SAMPLES, upTo);
      const caller = Buffer.alloc(end - start, MULAW_SILENCE);
      await spool.readTrack('caller', start, caller);
      for (const gap of gaps) {
        const a = Math.max(gap.start, start);
        const b = Math.min(gap.end, end);
        if (a < b) caller.fill(MULAW_SILENCE, a - start, b - start);
      }
      const agent = Buffer.alloc(end - start, MULAW_SILENCE);
      for (const span of agentSpans) {
        const a = Math.max(span.start, start);
        const b = Math.min(span.end, end);
        if (a < b) await spool.readTrack('agent', a, agent, a - start, b - a);
      }
      await this.requireUpload().append(
        this.channelCount === 2 ? interleave(caller, agent) : mix(caller, agent),
      );
    }
  }

  private fail(failure: string, error: unknown): void {
    if (this.failure) return;
    this.failure = failure;
    this.options.logger.error('recording failed', { failure, err: error });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
