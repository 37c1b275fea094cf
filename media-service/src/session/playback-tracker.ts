/** How far the caller got through an agent item when the caller interrupted it. */
export interface PlaybackCut {
  itemId: string;
  responseId: string;
  /** What the caller heard: `min(played, sent)`, so `conversation.item.truncate` never errors. */
  audioEndMs: number;
  /** Audio of the item sent to the caller leg so far. */
  sentMs: number;
}

interface CurrentItem {
  itemId: string;
  responseId: string;
  sentBytes: number;
  playedMs: number;
}

/** Cancelled responses remembered, to drop their late deltas (a handful per call is plenty). */
const REMEMBERED_CANCELLED = 16;

/**
 * Playout position of the agent's audio, from the transport's `played` reports (Twilio mark
 * echoes), not the wall clock: a wall-clock estimate overcounts whenever the provider buffers.
 * After a cut, reports for the cut item (Twilio echoes outstanding marks on `clear`) and audio of
 * the cancelled response are ignored.
 */
export class PlaybackTracker {
  readonly bytesPerMs: number;
  private current: CurrentItem | undefined;
  private readonly cancelledResponses: string[] = [];
  private readonly cutItems: string[] = [];
  private wakeDrained: (() => void) | undefined;

  constructor(bytesPerMs: number) {
    this.bytesPerMs = bytesPerMs;
  }

  /** Whether audio of this response/item should still reach the caller. */
  accepts(responseId: string, itemId: string): boolean {
    return !this.cancelledResponses.includes(responseId) && !this.cutItems.includes(itemId);
  }

  /** Records agent audio forwarded to the caller; returns the item's sent bytes so far. */
  noteSent(responseId: string, itemId: string, bytes: number): number {
    if (this.current?.itemId !== itemId) this.current = { itemId, responseId, sentBytes: 0, playedMs: 0 };
    this.current.sentBytes += bytes;
    return this.current.sentBytes;
  }

  notePlayed(itemId: string, playedMs: number): void {
    if (this.current?.itemId !== itemId) return;
    if (playedMs > this.current.playedMs) this.current.playedMs = playedMs;
    if (this.wakeDrained && !this.isPlaying()) this.wakeDrained();
  }

  /**
   * Resolves once everything sent has been reported played (a goodbye line finishing before the
   * hang-up), or after the unplayed time plus a margin, capped at `capMs`, if reports stop coming.
   */
  drained(capMs: number): Promise<void> {
    if (!this.isPlaying()) return Promise.resolve();
    this.stopWaiting();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wakeDrained?.(), Math.min(capMs, this.unplayedMs() + 2_000));
      this.wakeDrained = () => {
        clearTimeout(timer);
        this.wakeDrained = undefined;
        resolve();
      };
    });
  }

  /** Releases a pending `drained()` wait at once (the call is closing). */
  stopWaiting(): void {
    this.wakeDrained?.();
  }

  /** Whether the caller still has agent audio queued that has not played yet. */
  isPlaying(): boolean {
    if (!this.current) return false;
    return this.current.playedMs < Math.floor(this.current.sentBytes / this.bytesPerMs);
  }

  /** Milliseconds of queued agent audio not yet played (0 when idle). */
  unplayedMs(): number {
    if (!this.current) return 0;
    return Math.max(0, Math.floor(this.current.sentBytes / this.bytesPerMs) - this.current.playedMs);
  }

  /**
   * Barge-in: stops tracking the current item and returns where playout stood, or undefined when
   * everything sent had already been heard (then nothing needs clearing or truncating).
   */
  cut(): PlaybackCut | undefined {
    const item = this.current;
    if (!item || !this.isPlaying()) return undefined;
    this.current = undefined;
    this.remember(this.cutItems, item.itemId);
    this.remember(this.cancelledResponses, item.responseId);
    const sentMs = Math.floor(item.sentBytes / this.bytesPerMs);
    return {
      itemId: item.itemId,
      responseId: item.responseId,
      audioEndMs: Math.min(item.playedMs, sentMs),
      sentMs,
    };
  }

  /** Drops audio of a response cancelled before any of it played (barge-in during generation). */
  cancelResponse(responseId: string): void {
    this.remember(this.cancelledResponses, responseId);
    if (this.current?.responseId === responseId) this.current = undefined;
  }

  private remember(list: string[], id: string): void {
    if (list.includes(id)) return;
    list.push(id);
    if (list.length > REMEMBERED_CANCELLED) list.shift();
  }
}
