import { heardText } from './heard-text.ts';
import type { TurnRecorder } from './turn-recorder.ts';

interface AgentItem {
  responseId: string;
  transcript: string;
  audioBytes: number;
  startedAt: string;
  /** The model finished the item (transcript done or its response done). */
  generated: boolean;
  /** Highest playout position the caller leg reported for this item. */
  playedMs: number;
  heardMs?: number;
}

/** Playout reports come per frame; within one 20 ms frame of the end counts as played out. */
const END_TOLERANCE_MS = 20;

/**
 * Collects each agent item's transcript and audio, and stores it as a turn when it completes for
 * the caller: in full once it has been generated AND played out, or `interrupted` with only the
 * part the caller heard when they cut in or the call ended first. The model finishes generating
 * long before playback ends, so storing at `transcript.done` would record words never heard.
 */
export class AgentTurns {
  private readonly items = new Map<string, AgentItem>();
  private readonly recorder: TurnRecorder;
  private readonly bytesPerMs: number;

  constructor(recorder: TurnRecorder, bytesPerMs: number) {
    this.recorder = recorder;
    this.bytesPerMs = bytesPerMs;
  }

  private item(responseId: string, itemId: string): AgentItem | undefined {
    let item = this.items.get(itemId);
    if (!item) {
      // Late events of an item already stored (e.g. after a cut) must not open a second turn.
      if (this.recorder.has(itemId)) return undefined;
      item = {
        responseId,
        transcript: '',
        audioBytes: 0,
        startedAt: new Date().toISOString(),
        generated: false,
        playedMs: 0,
      };
      this.items.set(itemId, item);
      this.recorder.reserve(itemId);
    }
    return item;
  }

  onAudio(responseId: string, itemId: string, bytes: number): void {
    const item = this.item(responseId, itemId);
    if (item) item.audioBytes += bytes;
  }

  /**
   * True when the words are news for the caller: false for an unknown item, and for one a
   * barge-in cut (it may stream on, but the caller will not hear the rest).
   */
  onTranscriptDelta(responseId: string, itemId: string, delta: string): boolean {
    const item = this.item(responseId, itemId);
    if (!item) return false;
    item.transcript += delta;
    return item.heardMs === undefined;
  }

  onTranscriptDone(responseId: string, itemId: string, transcript: string): void {
    const item = this.item(responseId, itemId);
    if (!item) return;
    item.transcript = transcript;
    item.generated = true;
    this.finishIfPlayedOut(itemId, item);
  }

  /** The caller leg reports how much of `itemId` has played. */
  onPlayed(itemId: string, playedMs: number): void {
    const item = this.items.get(itemId);
    if (!item || playedMs <= item.playedMs) return;
    item.playedMs = playedMs;
    this.finishIfPlayedOut(itemId, item);
  }

  /**
   * The caller interrupted `itemId` after hearing `heardMs`. Stored at once when the model had
   * finished the item, else when its transcript completes (it may still be streaming).
   */
  onCut(itemId: string, heardMs: number): void {
    const item = this.items.get(itemId);
    if (!item) return;
    item.heardMs = heardMs;
    this.finishIfPlayedOut(itemId, item);
  }

  /** The response ended (possibly cancelled): its items are complete on the model's side. */
  onResponseDone(responseId: string): void {
    for (const [itemId, item] of this.items) {
      if (item.responseId !== responseId) continue;
      item.generated = true;
      this.finishIfPlayedOut(itemId, item);
    }
  }

  /**
   * Stores whatever is still open. At the end of the call audio not yet played was never heard
   * (`interrupted`); when the model link dropped mid-call, audio already sent still plays out.
   */
  finishAll(options: { unplayedIsHeard?: boolean } = {}): void {
    for (const [itemId, item] of this.items) {
      if (!options.unplayedIsHeard && !this.playedOut(item)) item.heardMs = item.playedMs;
      this.finish(itemId, item);
    }
  }

  private playedOut(item: AgentItem): boolean {
    return item.playedMs >= item.audioBytes / this.bytesPerMs - END_TOLERANCE_MS;
  }

  /** Complete for the caller: generated, and either played out or cut. */
  private finishIfPlayedOut(itemId: string, item: AgentItem): void {
    if (item.generated && (item.heardMs !== undefined || this.playedOut(item))) this.finish(itemId, item);
  }

  private finish(itemId: string, item: AgentItem): void {
    this.items.delete(itemId);
    const interrupted = item.heardMs !== undefined;
    const text = interrupted
      ? heardText(item.transcript, item.heardMs ?? 0, item.audioBytes / this.bytesPerMs)
      : item.transcript.trim();
    this.recorder.record(itemId, {
      role: 'agent',
      text,
      startedAt: item.startedAt,
      endedAt: new Date().toISOString(),
      interrupted: interrupted || undefined,
      itemId,
    });
  }
}
