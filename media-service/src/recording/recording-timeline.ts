/** A stretch of the timeline, in samples at 8 kHz: `[start, end)`. */
export interface Span {
  start: number;
  end: number;
}

/** Items whose start is remembered for a later cut (a cut names the item being played). */
const REMEMBERED_ITEMS = 8;

/**
 * Where each side's audio sits on one timeline, in 8 kHz samples (pure; no I/O). The caller's
 * audio is the clock: telephony legs and the browser send it continuously, silence included, so
 * sample N of the caller track is N/8000 s into the call. Agent audio arrives faster than it plays
 * and the caller hears it in order from the moment it arrives, so a chunk is placed at
 * `max(end of the agent audio placed so far, now)`. A barge-in cut (`audioEndMs` heard of an
 * item) removes what lay beyond the cut. Positions before `settled` are final (already encoded).
 */
export class RecordingTimeline {
  /** Caller samples received: "now". */
  callerSamples = 0;
  /** Everything before this has been written out; cuts cannot reach back past it. */
  settled = 0;
  private agentEnd = 0;
  private spans: Span[] = [];
  private readonly itemStarts = new Map<string, number>();

  /** Caller audio arrived; returns where it goes. */
  addCaller(samples: number): Span {
    const span = { start: this.callerSamples, end: this.callerSamples + samples };
    this.callerSamples = span.end;
    return span;
  }

  /** Agent audio of `itemId` was sent to the caller; returns where it plays. */
  placeAgent(itemId: string, samples: number): Span {
    const start = Math.max(this.agentEnd, this.callerSamples, this.settled);
    if (!this.itemStarts.has(itemId)) {
      this.itemStarts.set(itemId, start);
      if (this.itemStarts.size > REMEMBERED_ITEMS)
        this.itemStarts.delete(this.itemStarts.keys().next().value as string);
    }
    const span = { start, end: start + samples };
    this.agentEnd = span.end;
    const last = this.spans[this.spans.length - 1];
    if (last && last.end === start) last.end = span.end;
    else this.spans.push({ ...span });
    return span;
  }

  /**
   * Barge-in: the caller heard `audioEndMs` of `itemId`; agent audio placed after that point was
   * never heard. Returns the cut position, or undefined for an item it does not know.
   */
  cut(itemId: string, audioEndMs: number): number | undefined {
    const itemStart = this.itemStarts.get(itemId);
    if (itemStart === undefined) return undefined;
    const at = Math.max(this.settled, itemStart + Math.round(audioEndMs * 8));
    this.spans = this.spans
      .filter((span) => span.start < at)
      .map((span) => ({ start: span.start, end: Math.min(span.end, at) }));
    this.agentEnd = Math.min(this.agentEnd, at);
    return at;
  }

  /** Agent audio within `[from, to)`, clipped to it, in order (the rest of the range is silence). */
  agentWithin(from: number, to: number): Span[] {
    const out: Span[] = [];
    for (const span of this.spans) {
      const start = Math.max(span.start, from);
      const end = Math.min(span.end, to);
      if (start < end) out.push({ start, end });
    }
    return out;
  }

  /** Everything before `position` is written out: forget it. */
  settle(position: number): void {
    this.settled = Math.max(this.settled, position);
    this.spans = this.spans
      .filter((span) => span.end > this.settled)
      .map((span) => ({ start: Math.max(span.start, this.settled), end: span.end }));
  }

  /** How far ahead of the caller the agent's audio is placed (its unplayed backlog), in samples. */
  get agentLead(): number {
    return Math.max(0, this.agentEnd - this.callerSamples);
  }
}
