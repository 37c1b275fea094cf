/**
 * Fixed log-spaced latency buckets. Bucket `i` holds values in
 * `[BASE_MS · RATIO^i, BASE_MS · RATIO^(i+1))` with `RATIO = 2^(1/4)` (four buckets per doubling);
 * bucket 0 also takes everything below `BASE_MS · RATIO` and the last bucket everything above. A
 * percentile read from summed buckets is the geometric midpoint of the bucket holding the rank, so
 * for values in the covered range it is within `BUCKET_ERROR` (relative) of the exact percentile:
 * `sqrt(RATIO) - 1` ≈ 9.05 %.
 *
 * Bounds: 10 ms … 10 · 2^(60/4) ms ≈ 327 s; 61 buckets. Buckets are stored sparsely (only
 * non-zero counters exist), so a histogram costs a few attributes per bucket item.
 */
export const BASE_MS = 10;
export const RATIO = 2 ** (1 / 4);
export const BUCKET_COUNT = 61;
export const BUCKET_ERROR = Math.round((Math.sqrt(RATIO) - 1) * 10_000) / 10_000;

export const HISTOGRAMS = ['firstAudio', 'response', 'bargeIn'] as const;
export type HistogramName = (typeof HISTOGRAMS)[number];

/** Counter attribute of one bucket of one histogram (`lat#response#17`). */
export const histogramCounter = (name: HistogramName, bucket: number) => `lat#${name}#${bucket}`;

/** The bucket index of a latency in ms. */
export function bucketOf(ms: number): number {
  if (!(ms >= BASE_MS * RATIO)) return 0;
  const i = Math.floor(Math.log(ms / BASE_MS) / Math.log(RATIO) + 1e-9);
  return Math.min(BUCKET_COUNT - 1, i);
}

/** Lower and upper bound of a bucket in ms. */
export function bucketBounds(bucket: number): { lowMs: number; highMs: number } {
  return { lowMs: BASE_MS * RATIO ** bucket, highMs: BASE_MS * RATIO ** (bucket + 1) };
}

/** The value a bucket stands for: its geometric midpoint (minimises the worst relative error). */
export function bucketValueMs(bucket: number): number {
  const { lowMs, highMs } = bucketBounds(bucket);
  return Math.sqrt(lowMs * highMs);
}

/** Counter increments for a list of latencies. */
export function histogramDeltas(name: HistogramName, values: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    if (!Number.isFinite(v) || v < 0) continue;
    const key = histogramCounter(name, bucketOf(v));
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The bucket counts of one histogram out of a counter map (index → count). */
export function histogramOf(name: HistogramName, counters: Record<string, number>): number[] {
  const buckets = new Array<number>(BUCKET_COUNT).fill(0);
  const prefix = `lat#${name}#`;
  for (const [key, value] of Object.entries(counters)) {
    if (!key.startsWith(prefix)) continue;
    const i = Number(key.slice(prefix.length));
    if (Number.isInteger(i) && i >= 0 && i < BUCKET_COUNT) buckets[i] = (buckets[i] ?? 0) + value;
  }
  return buckets;
}

/**
 * The nearest-rank percentile (`p` in 0..1) from bucket counts, in whole ms; null without data.
 * The rank is `ceil(p · n)`, the same definition as `exactPercentile`.
 */
export function percentileMs(buckets: readonly number[], p: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i < buckets.length; i += 1) {
    seen += buckets[i] ?? 0;
    if (seen >= rank) return Math.round(bucketValueMs(i));
  }
  return Math.round(bucketValueMs(buckets.length - 1));
}

/** The exact nearest-rank percentile of raw values (for tests and the bench). */
export function exactPercentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] ?? null;
}
