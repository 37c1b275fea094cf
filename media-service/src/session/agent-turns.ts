import { heardText } from './heard-text.ts';
import type { TurnRecorder } from './turn-recorder.ts';

interface AgentItem {
  responseId: string;
  transcript: string;
  audioBytes: number;
  startedAt: string;
  heardMs?: number;
}

/**
 * Collects each agent item's transcript and audio, and stores it as a turn when it completes:
 * in full when it played out, or `interrupted` with only the part the caller heard.
 */
export class AgentTurns {
  private readonly items = new Map<string, AgentItem>();
  private readonly recorder: TurnRecorder;
  private readonly bytesPerMs: number;

  constructor(recorder: TurnRecorder, bytesPerMs: number) {
    this.recorder = recorder;
    this.bytesPerMs = bytesPerMs;
  }

  private item(responseId: string, itemId: string): AgentItem {
    let item = this.items.get(itemId);
    if (!item) {
      item = { responseId, transcript: '', audioBytes: 0, startedAt: new Date().toISOString() };
      this.items.set(itemId, item);
      this.recorder.reserve(itemId);
    }
    return item;
  }

  onAudio(responseId: string, itemId: string, bytes: number): void {
    this.item(responseId, itemId).audioBytes += bytes;
  }

  onTranscriptDelta(responseId: string, itemId: string, delta: string): void {
    this.item(responseId, itemId).transcript += delta;
  }

  onTranscriptDone(responseId: string, itemId: string, transcript: string): void {
    const item = this.item(responseId, itemId);
    item.transcript = transcript;
    this.finish(itemId, item);
  }

  /** The caller interrupted `itemId` after hearing `heardMs`. */
  onCut(itemId: string, heardMs: number): void {
    const item = this.items.get(itemId);
    if (item) item.heardMs = heardMs;
  }

  /** Stores every item of the response not stored yet (no transcript `done` came, e.g. cancelled). */
  onResponseDone(responseId: string): void {
    for (const [itemId, item] of this.items) if (item.responseId === responseId) this.finish(itemId, item);
  }

  /** At close: whatever is still open is stored as heard so far. */
  finishAll(): void {
    for (const [itemId, item] of this.items) this.finish(itemId, item);
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
