/** A pending timer; cancelling twice, or after it fired, is safe. */
export interface Timer {
  cancel(): void;
}

/** Starts a timer; the session passes its `SessionTimers.after` to every part that needs one. */
export type StartTimer = (delayMs: number, run: () => void) => Timer;

/**
 * Every timer of one call session (guardrails, key-press grouping, tool filler, goodbye), so
 * `close()` can cancel them all in one place and nothing fires into a closed call. Timers asked
 * for after `cancelAll()` never start.
 */
export class SessionTimers {
  private readonly live = new Set<NodeJS.Timeout>();
  private stopped = false;

  readonly after: StartTimer = (delayMs, run) => {
    if (this.stopped) return { cancel: () => undefined };
    const handle = setTimeout(() => {
      this.live.delete(handle);
      run();
    }, delayMs);
    this.live.add(handle);
    return {
      cancel: () => {
        clearTimeout(handle);
        this.live.delete(handle);
      },
    };
  };

  /** Timers started and neither fired nor cancelled yet. */
  get pending(): number {
    return this.live.size;
  }

  cancelAll(): void {
    this.stopped = true;
    for (const handle of this.live) clearTimeout(handle);
    this.live.clear();
  }
}

/** Plain timers for parts used on their own (tests); sessions pass their `SessionTimers`. */
export const plainTimer: StartTimer = (delayMs, run) => {
  const handle = setTimeout(run, delayMs);
  return { cancel: () => clearTimeout(handle) };
};
