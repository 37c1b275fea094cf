import { describe, expect, it } from 'vitest';
import {
  type BreakerInput,
  type BreakerSnapshot,
  CircuitBreaker,
  CircuitOpenError,
  nextBreakerState,
} from './circuit-breaker.ts';

const policy = { failureThreshold: 3, openMs: 1_000 };

describe('nextBreakerState', () => {
  it.each<[string, BreakerSnapshot, BreakerInput, BreakerSnapshot]>([
    [
      'counts a failure',
      { state: 'closed', failures: 0 },
      { kind: 'failure', at: 5 },
      { state: 'closed', failures: 1 },
    ],
    [
      'opens at the threshold',
      { state: 'closed', failures: 2 },
      { kind: 'failure', at: 5 },
      { state: 'open', failures: 3, openedAt: 5 },
    ],
    [
      'success resets',
      { state: 'closed', failures: 2 },
      { kind: 'success' },
      { state: 'closed', failures: 0 },
    ],
    [
      'stays open before openMs',
      { state: 'open', failures: 3, openedAt: 0 },
      { kind: 'probe', at: 999 },
      { state: 'open', failures: 3, openedAt: 0 },
    ],
    [
      'half-opens after openMs',
      { state: 'open', failures: 3, openedAt: 0 },
      { kind: 'probe', at: 1_000 },
      { state: 'half_open', failures: 3, openedAt: 0 },
    ],
    [
      'a failed trial re-opens',
      { state: 'half_open', failures: 3, openedAt: 0 },
      { kind: 'failure', at: 1_200 },
      { state: 'open', failures: 4, openedAt: 1_200 },
    ],
    [
      'a good trial closes',
      { state: 'half_open', failures: 3, openedAt: 0 },
      { kind: 'success' },
      { state: 'closed', failures: 0 },
    ],
    [
      'probing a closed circuit changes nothing',
      { state: 'closed', failures: 1 },
      { kind: 'probe', at: 9 },
      { state: 'closed', failures: 1 },
    ],
  ])('%s', (_name, current, input, expected) => {
    expect(nextBreakerState(current, input, policy)).toEqual(expected);
  });
});

describe('CircuitBreaker', () => {
  it('fails fast while open, lets one trial through after openMs, and closes on its success', async () => {
    let now = 0;
    const breaker = new CircuitBreaker(policy, () => now);
    const down = () => Promise.reject(new Error('ECONNREFUSED'));
    for (let i = 0; i < 3; i++) await expect(breaker.run(down, () => true)).rejects.toThrow('ECONNREFUSED');
    let called = false;
    await expect(
      breaker.run(
        async () => (called = true),
        () => true,
      ),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
    now = 1_000;
    await expect(
      breaker.run(
        async () => 'up',
        () => true,
      ),
    ).resolves.toBe('up');
    expect(breaker.snapshot.state).toBe('closed');
  });

  it('does not count errors the server answered (a 4xx means Asterisk is alive)', async () => {
    const breaker = new CircuitBreaker(policy);
    for (let i = 0; i < 5; i++) {
      await expect(
        breaker.run(
          () => Promise.reject(new Error('404')),
          () => false,
        ),
      ).rejects.toThrow('404');
    }
    expect(breaker.snapshot).toEqual({ state: 'closed', failures: 0 });
  });
});
