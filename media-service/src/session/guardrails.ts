import { plainTimer, type StartTimer, type Timer } from './session-timers.ts';

/**
 * The agent's `maxDurationSeconds` and `idleTimeoutSeconds`: each fires once and ends the call
 * politely. Any sign of conversation (caller speech, agent audio, a key press, a tool) counts as
 * activity. Activity only stamps a time (it happens for every audio chunk); the idle timer checks
 * the stamp when it fires and re-arms for the remainder, so the audio path never touches timers.
 */
export class Guardrails {
  private readonly idleMs: number;
  private readonly onIdle: () => void;
  private readonly now: () => number;
  private readonly busy: () => boolean;
  private readonly after: StartTimer;
  private readonly maxTimer: Timer;
  private idleTimer: Timer | undefined;
  private lastActivityAt: number;
  private stopped = false;

  constructor(options: {
    maxDurationMs: number;
    idleMs: number;
    onMaxDuration(): void;
    onIdle(): void;
    /** Something is going on that is not silence (agent audio still playing, a tool running). */
    busy?: () => boolean;
    now?: () => number;
    /** The session's timers (cancelled together when it closes). */
    after?: StartTimer;
  }) {
    this.after = options.after ?? plainTimer;
    this.busy = options.busy ?? (() => false);
    this.idleMs = options.idleMs;
    this.onIdle = options.onIdle;
    this.now = options.now ?? Date.now;
    this.lastActivityAt = this.now();
    this.maxTimer = this.after(options.maxDurationMs, () => {
      if (!this.stopped) options.onMaxDuration();
    });
    this.armIdle(this.idleMs);
  }

  activity(): void {
    this.lastActivityAt = this.now();
  }

  stop(): void {
    this.stopped = true;
    this.maxTimer.cancel();
    this.idleTimer?.cancel();
  }

  private armIdle(delayMs: number): void {
    this.idleTimer = this.after(delayMs, () => {
      if (this.stopped) return;
      if (this.busy()) this.activity();
      const idleFor = this.now() - this.lastActivityAt;
      if (idleFor >= this.idleMs) this.onIdle();
      else this.armIdle(this.idleMs - idleFor);
    });
  }
}
