/**
 * The agent's `maxDurationSeconds` and `idleTimeoutSeconds`: each fires once and ends the call
 * politely. Any sign of conversation (caller speech, agent audio, a key press, a tool) resets
 * the idle timer.
 */
export class Guardrails {
  private readonly idleMs: number;
  private readonly onIdle: () => void;
  private maxTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: { maxDurationMs: number; idleMs: number; onMaxDuration(): void; onIdle(): void }) {
    this.idleMs = options.idleMs;
    this.onIdle = options.onIdle;
    this.maxTimer = setTimeout(() => {
      if (!this.stopped) options.onMaxDuration();
    }, options.maxDurationMs);
    this.activity();
  }

  activity(): void {
    if (this.stopped) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.stopped) this.onIdle();
    }, this.idleMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.maxTimer);
    clearTimeout(this.idleTimer);
  }
}
