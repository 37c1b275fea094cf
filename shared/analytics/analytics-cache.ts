import type { Counters } from './analytics-reads.ts';

/**
 * Summed counters of finished periods, reused for a few minutes per process (the analytics are
 * "cached for five minutes"; ETag and `max-age=60` let clients skip even that). Only periods that
 * ended well before now are kept: today's and yesterday's buckets still move as summaries land,
 * so they are always read. Bounded by entry count, oldest first out.
 */
const MAX_ENTRIES = 500;
/** A period is settled this long after it ended (late summaries, retries of the post-call queues). */
export const SETTLED_AFTER_MS = 36 * 3_600_000;

interface Entry {
  counters: Counters;
  expiresAt: number;
}
const entries = new Map<string, Entry>();

/**
 * Whether a bucket period (`2026-11-22`, `2026-11`, `2026-11-22T13`) ended long enough ago to be
 * cached. Local days and months end at most 14 hours after the same UTC period, which the margin
 * covers.
 */
export function isSettled(period: string, nowMs: number): boolean {
  const settled = new Date(nowMs - SETTLED_AFTER_MS).toISOString();
  if (period.length === 7) return period < settled.slice(0, 7);
  if (period.length === 10) return period < settled.slice(0, 10);
  return period < settled.slice(0, 13);
}

export function cachedCounters(key: string, nowMs: number): Counters | undefined {
  const entry = entries.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt <= nowMs) {
    entries.delete(key);
    return undefined;
  }
  return entry.counters;
}

export function cacheCounters(key: string, counters: Counters, ttlSeconds: number, nowMs: number): void {
  if (ttlSeconds <= 0) return;
  entries.delete(key);
  entries.set(key, { counters, expiresAt: nowMs + ttlSeconds * 1000 });
  while (entries.size > MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) break;
    entries.delete(oldest);
  }
}

/** Forgets everything (a backfill rewrote counters; tests). */
export function clearAnalyticsCache(): void {
  entries.clear();
}
