import type { ClientEvent } from '../../realtime/realtime-events.ts';
import type { PlaybackTracker } from '../playback-tracker.ts';
import type { StartTimer, Timer } from '../session-timers.ts';

export interface SpokenLineDeps {
  /** Sends a client event to the model. */
  send(event: ClientEvent): void;
  playback: Pick<PlaybackTracker, 'drained'>;
  after: StartTimer;
  /** Longest wait for one line, from request to played (a silent model never stalls a transfer). */
  capMs: number;
}

/**
 * One line the agent says outside the conversation (an out-of-band `response.create` with
 * `conversation: "none"`): the transfer's "one moment" to the caller and the briefing to the
 * person. `say` resolves once the line has played (or was cut, or the cap passed), which is when
 * the transfer may move legs. One line at a time; the first response created after the request
 * is the line, as with the closing line of `session-ending.ts`.
 */
export class SpokenLine {
  private readonly deps: SpokenLineDeps;
  private current: { responseId?: string; finish: () => void; timer: Timer } | undefined;

  constructor(deps: SpokenLineDeps) {
    this.deps = deps;
  }

  say(instructions: string): Promise<void> {
    this.current?.finish();
    return new Promise((resolve) => {
      const line = {
        responseId: undefined as string | undefined,
        timer: this.deps.after(this.deps.capMs, () => line.finish()),
        finish: () => {
          line.timer.cancel();
          if (this.current === line) this.current = undefined;
          resolve();
        },
      };
      this.current = line;
      this.deps.send({
        type: 'response.create',
        response: { conversation: 'none', instructions, tool_choice: 'none' },
      });
    });
  }

  responseCreated(responseId: string): void {
    if (this.current && !this.current.responseId) this.current.responseId = responseId;
  }

  responseDone(responseId: string): void {
    const line = this.current;
    if (!line || line.responseId !== responseId) return;
    void this.deps.playback.drained(this.deps.capMs).then(() => line.finish());
  }

  /** Releases a pending `say` (the call is closing). */
  stop(): void {
    this.current?.finish();
  }
}
