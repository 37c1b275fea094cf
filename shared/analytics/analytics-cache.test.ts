import { afterEach, describe, expect, it } from 'vitest';
import { cacheCounters, cachedCounters, clearAnalyticsCache, isSettled } from './analytics-cache.ts';

const NOW = Date.parse('2026-12-04T09:00:00Z');
afterEach(() => clearAnalyticsCache());

describe('analytics cache', () => {
  it.each([
    ['2026-12-03', false],
    ['2026-12-02', false],
    ['2026-12-01', true],
    ['2026-11', true],
    ['2026-12', false],
    ['2026-12-02T20', true],
    ['2026-12-02T21', false],
  ])('period %s settled: %s', (period, settled) => {
    expect(isSettled(period, NOW)).toBe(settled);
  });

  it('returns counters until their time is up, then reads again', () => {
    cacheCounters('t|an#t#month#2026-10|2026-11', { calls: 7 }, 300, NOW);
    expect(cachedCounters('t|an#t#month#2026-10|2026-11', NOW + 299_000)).toEqual({ calls: 7 });
    expect(cachedCounters('t|an#t#month#2026-10|2026-11', NOW + 300_000)).toBeUndefined();
    cacheCounters('t|off', { calls: 1 }, 0, NOW);
    expect(cachedCounters('t|off', NOW)).toBeUndefined();
  });

  it('keeps at most 500 entries, dropping the oldest', () => {
    for (let i = 0; i <= 500; i++) cacheCounters(`k${i}`, { calls: i }, 300, NOW);
    expect(cachedCounters('k0', NOW)).toBeUndefined();
    expect(cachedCounters('k1', NOW)).toEqual({ calls: 1 });
    expect(cachedCounters('k500', NOW)).toEqual({ calls: 500 });
  });
});
