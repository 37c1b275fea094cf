import { describe, expect, it } from 'vitest';
import { firstRenewalDelayMs } from './call-ownership.ts';

describe('firstRenewalDelayMs', () => {
  it.each([
    { heartbeatMs: 5_000, random: 0, expected: 2_500 },
    { heartbeatMs: 5_000, random: 0.5, expected: 5_000 },
    { heartbeatMs: 5_000, random: 0.999, expected: 7_495 },
    { heartbeatMs: 5_000, random: 1, expected: 7_500 },
    { heartbeatMs: 5_000, random: -3, expected: 2_500 },
    { heartbeatMs: 200, random: 0.25, expected: 150 },
  ])('heartbeat $heartbeatMs ms, random $random → $expected ms', ({ heartbeatMs, random, expected }) => {
    expect(firstRenewalDelayMs(heartbeatMs, random)).toBe(expected);
  });

  it('spreads a burst of calls over one whole heartbeat period', () => {
    const heartbeatMs = 5_000;
    const delays = Array.from({ length: 1_000 }, (_, i) => firstRenewalDelayMs(heartbeatMs, i / 1_000));
    // Phases modulo the period cover it evenly: every 500 ms slice holds about a tenth of the calls.
    const slices = new Array(10).fill(0);
    for (const delay of delays) slices[Math.floor((delay % heartbeatMs) / 500)] += 1;
    for (const count of slices) expect(count).toBe(100);
    expect(Math.max(...delays)).toBeLessThan(1.5 * heartbeatMs);
  });
});
