import { afterEach, describe, expect, it, vi } from 'vitest';
import { Guardrails } from './guardrails.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('Guardrails', () => {
  it('fires idle only after idleMs without activity, and max duration once', () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    const guard = new Guardrails({
      maxDurationMs: 10_000,
      idleMs: 3_000,
      onMaxDuration: () => fired.push('max'),
      onIdle: () => fired.push('idle'),
    });
    vi.advanceTimersByTime(2_000);
    guard.activity();
    vi.advanceTimersByTime(2_000); // 2 s since the activity: not idle yet
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(['idle']);
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual(['idle', 'max']);
    guard.stop();
  });

  it('is never idle while busy (agent audio still playing, a tool running)', () => {
    vi.useFakeTimers();
    let busy = true;
    const fired: string[] = [];
    const guard = new Guardrails({
      maxDurationMs: 60_000,
      idleMs: 1_000,
      onMaxDuration: () => fired.push('max'),
      onIdle: () => fired.push('idle'),
      busy: () => busy,
    });
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([]);
    busy = false;
    vi.advanceTimersByTime(2_000);
    expect(fired).toEqual(['idle']);
    guard.stop();
  });

  it('stop() silences both timers', () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    const guard = new Guardrails({
      maxDurationMs: 1_000,
      idleMs: 500,
      onMaxDuration: () => fired.push('max'),
      onIdle: () => fired.push('idle'),
    });
    guard.stop();
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([]);
  });
});
