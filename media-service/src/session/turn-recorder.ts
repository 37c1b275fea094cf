import type { TranscriptRole, TranscriptTurn } from '#shared/calls/call-types.ts';
import type { PersistQueue } from './persist-queue.ts';

export interface TurnContent {
  role: TranscriptRole;
  text: string;
  startedAt: string;
  endedAt?: string;
  interrupted?: boolean;
  itemId?: string;
}

/**
 * Numbers and stores transcript turns the moment each completes. A turn's `seq` is reserved when
 * it begins (caller: speech stopped; agent: first audio), so turns read in the order they were
 * spoken even though caller transcription finishes asynchronously. Each key (realtime item id or
 * tool call id) is stored at most once, which keeps replays after a model reconnect from
 * duplicating turns.
 */
export class TurnRecorder {
  private readonly callId: string;
  private readonly persist: PersistQueue;
  private readonly write: (turn: TranscriptTurn) => Promise<unknown>;
  private readonly onTurn: ((turn: TranscriptTurn) => void) | undefined;
  private nextSeq = 1;
  private readonly reserved = new Map<string, number>();
  private readonly recordedKeys = new Set<string>();
  private readonly turns: TranscriptTurn[] = [];

  constructor(options: {
    callId: string;
    persist: PersistQueue;
    write: (turn: TranscriptTurn) => Promise<unknown>;
    onTurn?: (turn: TranscriptTurn) => void;
  }) {
    this.callId = options.callId;
    this.persist = options.persist;
    this.write = options.write;
    this.onTurn = options.onTurn;
  }

  /** Reserves the sequence number of the turn `key` (idempotent). */
  reserve(key: string): number {
    let seq = this.reserved.get(key);
    if (seq === undefined) {
      seq = this.nextSeq++;
      this.reserved.set(key, seq);
    }
    return seq;
  }

  has(key: string): boolean {
    return this.recordedKeys.has(key);
  }

  /** Turn `key` produced nothing to store (e.g. its transcription failed): its place is released. */
  skip(key: string): void {
    this.recordedKeys.add(key);
    this.reserved.delete(key);
  }

  /** Stores the completed turn `key` once; empty text is skipped (nothing was said or heard). */
  record(key: string, content: TurnContent): TranscriptTurn | undefined {
    if (this.recordedKeys.has(key)) return undefined;
    this.recordedKeys.add(key);
    const seq = this.reserve(key);
    this.reserved.delete(key);
    if (!content.text.trim()) return undefined;
    const turn: TranscriptTurn = { callId: this.callId, seq, ...content };
    if (turn.interrupted === undefined) delete turn.interrupted;
    this.turns.push(turn);
    this.turns.sort((a, b) => a.seq - b.seq);
    this.persist.run(`turn ${seq}`, () => this.write(turn));
    this.onTurn?.(turn);
    return turn;
  }

  /**
   * Continues a conversation stored by another task (a resumed call): its turns are the history,
   * and new turns are numbered after them.
   */
  restore(turns: readonly TranscriptTurn[]): void {
    for (const turn of turns) {
      this.turns.push(turn);
      if (turn.itemId) this.recordedKeys.add(turn.itemId);
      this.nextSeq = Math.max(this.nextSeq, turn.seq + 1);
    }
    this.turns.sort((a, b) => a.seq - b.seq);
  }

  /** The stored conversation so far, in order (replayed into a new model session). */
  history(): readonly TranscriptTurn[] {
    return this.turns;
  }
}
