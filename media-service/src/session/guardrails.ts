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
  private readonly maxTimer: NodeJS.Timeout;
  private idleTimer: NodeJS.Timeout | undefined;
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
  }) {
    this.busy = options.busy ?? (() => false);
    this.idleMs = options.idleMs;
    this.onIdle = options.onIdle;
    this.now = options.now ?? Date.now;
    this.lastActivityAt = this.now();
    this.maxTimer = setTimeout(() => {
      if (!this.stopped) options.onMaxDuration();
    }, options.maxDurationMs);
    this.armIdle(this.idleMs);
  }

  activity(): void {
    this.lastActivityAt = this.now();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.maxTimer);
    clearTimeout(this.idleTimer);
  }

  private armIdle(delayMs: number): void {
    this.idleTimer = setTimeout(() => {
      if (this.stopped) return;
      if (this.busy()) this.activity();
      const idleFor = this.now() - this.lastActivityAt;
      if (idleFor >= this.idleMs) this.onIdle();
      else this.armIdle(this.idleMs - idleFor);
    }, delayMs);
  }
}
