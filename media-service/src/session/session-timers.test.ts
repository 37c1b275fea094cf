import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '#shared/logging/logger.ts';
import type { EndReason } from '#shared/calls/call-types.ts';
import { CallEnding } from './session-ending.ts';
import { SessionTimers } from './session-timers.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('SessionTimers', () => {
  it('runs, cancels, and after cancelAll neither fires nor starts anything', () => {
    vi.useFakeTimers();
    const timers = new SessionTimers();
    const fired: string[] = [];
    timers.after(100, () => fired.push('a'));
    const b = timers.after(200, () => fired.push('b'));
    timers.after(300, () => fired.push('c'));
    expect(timers.pending).toBe(3);
    vi.advanceTimersByTime(100);
    b.cancel();
    b.cancel();
    expect(timers.pending).toBe(1);
    timers.cancelAll();
    timers.after(10, () => fired.push('late'));
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(['a']);
    expect(timers.pending).toBe(0);
  });

  it("owns the goodbye timer: a call closed during the closing line is never 'finished' again", async () => {
    vi.useFakeTimers();
    const timers = new SessionTimers();
    const closedWith: EndReason[] = [];
    const hungUp: EndReason[] = [];
    const ending = new CallEnding(
      { reason: 'agent_hangup', sayInstructions: 'Say goodbye.' },
      {
        transport: { hangUp: async (reason) => void hungUp.push(reason) },
        playback: { drained: async () => undefined },
        logger: createLogger({ write: () => undefined }),
        modelReady: () => true,
        say: () => undefined,
        isClosing: () => false,
        close: async (reason) => void closedWith.push(reason),
        goodbyeTimeoutMs: 8_000,
        after: timers.after,
      },
    );
    ending.begin();
    expect(timers.pending).toBe(1);
    timers.cancelAll(); // the session closed (the caller hung up mid-goodbye)
    await vi.advanceTimersByTimeAsync(10_000);
    expect(hungUp).toEqual([]);
    expect(closedWith).toEqual([]);
  });
});
