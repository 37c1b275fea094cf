/**
 * Plays outgoing audio at real time: one 20 ms frame per tick, however fast the model produces it.
 * The queue is bounded (the model can send a minute of audio in seconds; beyond the bound frames
 * are dropped and counted). `flush()` is barge-in: everything not yet sent is discarded, and
 * `framesSent × frameMs` is what the caller actually heard.
 *
 * Ticks are scheduled against the start of the talkspurt (not chained `setTimeout(20)`), so timer
 * lateness does not accumulate; after an event-loop stall the frames that fell due are sent at once
 * (up to `maxCatchUpFrames`) to keep the far end's jitter buffer fed.
 */
export interface RtpPacerOptions {
  /** Bytes per frame: 160 for 20 ms of 8 kHz G.711. */
  frameBytes: number;
  frameMs: number;
  /** Pads a short last frame (0xFF is μ-law silence, 0xD5 A-law). */
  silenceByte: number;
  maxQueuedFrames: number;
  /**
   * Sends one frame. `tag` is what it was pushed with (the agent item it belongs to);
   * `startsTalkspurt` is true for the first frame after the queue ran dry, `idleMs` how long
   * it was dry.
   */
  sendFrame(frame: Buffer, info: { tag: string; startsTalkspurt: boolean; idleMs: number }): void;
  /** Called when a mark queued with `mark()` has been reached (all audio before it sent). */
  onMark?(name: string): void;
  maxCatchUpFrames?: number;
  now?: () => number;
}

type Queued = { kind: 'frame'; frame: Buffer; tag: string } | { kind: 'mark'; name: string };

export class RtpPacer {
  readonly #options: RtpPacerOptions;
  readonly #now: () => number;
  #queue: Queued[] = [];
  #queuedFrames = 0;
  #partial: Buffer = Buffer.alloc(0);
  #partialTag = '';
  #timer: NodeJS.Timeout | undefined;
  #talkspurtStart = 0;
  #talkspurtFrames = 0;
  #lastSendAt: number | undefined;
  #closed = false;
  framesSent = 0;
  framesDropped = 0;

  constructor(options: RtpPacerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  get queuedFrames(): number {
    return this.#queuedFrames + (this.#partial.length > 0 ? 1 : 0);
  }

  /** Milliseconds of audio actually sent so far. */
  get playedMs(): number {
    return this.framesSent * this.#options.frameMs;
  }

  /**
   * Queues audio of any length; it is cut into frames, a remainder waits for the next push with
   * the same tag (a new tag starts a new frame: one frame never mixes two agent items).
   */
  push(audio: Buffer, tag = ''): void {
    if (this.#closed || audio.length === 0) return;
    if (tag !== this.#partialTag) this.#padPartial();
    this.#partialTag = tag;
    const { frameBytes } = this.#options;
    let bytes = this.#partial.length > 0 ? Buffer.concat([this.#partial, audio]) : audio;
    while (bytes.length >= frameBytes) {
      this.#enqueueFrame(Buffer.from(bytes.subarray(0, frameBytes)), tag);
      bytes = bytes.subarray(frameBytes);
    }
    this.#partial = Buffer.from(bytes);
    this.#schedule();
  }

  /** Queues a mark: `onMark(name)` fires once every frame queued before it has been sent. */
  mark(name: string): void {
    if (this.#closed) return;
    this.#padPartial();
    this.#queue.push({ kind: 'mark', name });
    this.#schedule();
  }

  /** Barge-in: drops every queued frame and mark; returns how many frames were dropped. */
  flush(): number {
    const dropped = this.#queuedFrames + (this.#partial.length > 0 ? 1 : 0);
    this.#queue = [];
    this.#queuedFrames = 0;
    this.#partial = Buffer.alloc(0);
    this.#stopTimer();
    return dropped;
  }

  close(): void {
    this.#closed = true;
    this.flush();
  }

  #enqueueFrame(frame: Buffer, tag: string): void {
    if (this.#queuedFrames >= this.#options.maxQueuedFrames) {
      this.framesDropped++;
      return;
    }
    this.#queue.push({ kind: 'frame', frame, tag });
    this.#queuedFrames++;
  }

  #padPartial(): void {
    if (this.#partial.length === 0) return;
    const frame = Buffer.alloc(this.#options.frameBytes, this.#options.silenceByte);
    this.#partial.copy(frame);
    this.#partial = Buffer.alloc(0);
    this.#enqueueFrame(frame, this.#partialTag);
  }

  #schedule(): void {
    if (this.#timer || this.#closed || (this.queuedFrames === 0 && this.#queue.length === 0)) return;
    const now = this.#now();
    this.#talkspurtStart = now;
    this.#talkspurtFrames = 0;
    this.#arm(0);
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, delayMs));
  }

  #stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    const { frameMs } = this.#options;
    const now = this.#now();
    const due = Math.floor((now - this.#talkspurtStart) / frameMs) + 1 - this.#talkspurtFrames;
    const toSend = Math.max(1, Math.min(due, this.#options.maxCatchUpFrames ?? 5));
    for (let i = 0; i < toSend; i++) {
      this.#drainMarks();
      // A short remainder with nothing behind it is the end of the response: pad and play it.
      if (this.#queuedFrames === 0) this.#padPartial();
      const next = this.#queue.shift();
      if (!next) break;
      if (next.kind === 'mark') continue;
      this.#queuedFrames--;
      const startsTalkspurt = this.#talkspurtFrames === 0;
      const idleMs = startsTalkspurt && this.#lastSendAt !== undefined ? now - this.#lastSendAt : 0;
      this.#talkspurtFrames++;
      this.framesSent++;
      this.#lastSendAt = now;
      this.#options.sendFrame(next.frame, { tag: next.tag, startsTalkspurt, idleMs });
    }
    this.#drainMarks();
    if (this.#closed) return;
    if (this.#queue.length === 0 && this.#partial.length === 0) return;
    this.#arm(this.#talkspurtStart + this.#talkspurtFrames * frameMs - this.#now());
  }

  #drainMarks(): void {
    while (this.#queue[0]?.kind === 'mark') {
      const mark = this.#queue.shift() as { kind: 'mark'; name: string };
      this.#options.onMark?.(mark.name);
    }
  }
}
