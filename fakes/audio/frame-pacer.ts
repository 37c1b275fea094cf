/**
 * Calls `tick` every `intervalMs` on a fixed schedule (no drift: each deadline is computed from
 * the start, not from when the previous tick ran), like a telephone line delivering frames.
 */
export interface FramePacer {
  stop(): void;
}

export function startFramePacer(intervalMs: number, tick: (index: number) => void): FramePacer {
  const startedAt = performance.now();
  let index = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    // Catch up if the event loop was late, but never burst more than a few frames at once.
    const due = Math.floor((performance.now() - startedAt) / intervalMs);
    for (let burst = 0; index <= due && burst < 5 && !stopped; burst++) tick(index++);
    timer = setTimeout(run, Math.max(0, startedAt + index * intervalMs - performance.now()));
  };
  run();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
