import { describe, expect, it } from 'vitest';
import { parseCsv, csvRow } from '../exports/csv.ts';
import {
  BUCKET_ERROR,
  bucketBounds,
  bucketOf,
  exactPercentile,
  histogramDeltas,
  histogramOf,
  percentileMs,
} from './latency-histogram.ts';
import { utcHoursOfLocalDay, localDay } from './time-zones.ts';

function lognormal(seed: number, n: number, medianMs: number): number[] {
  let s = seed;
  const next = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return (s + 1) / (2 ** 31 + 1);
  };
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
    return medianMs * Math.exp(0.6 * z);
  });
}

describe('latency histograms', () => {
  it.each([
    [1, 5_000, 700],
    [2, 200, 250],
    [3, 20_000, 1_800],
    [4, 37, 90],
  ])(
    'percentiles of sample %i (n=%i, median %i ms) are within the bucket error of the exact ones',
    (seed, n, median) => {
      const values = lognormal(seed, n, median);
      const counters = histogramDeltas('response', values);
      const buckets = histogramOf('response', counters);
      for (const p of [0.5, 0.9, 0.99]) {
        const exact = exactPercentile(values, p) as number;
        const estimate = percentileMs(buckets, p) as number;
        // Whole-ms rounding of the reported value adds at most 0.5 ms.
        expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(exact * BUCKET_ERROR + 0.5);
      }
    },
  );

  it('places values on the documented bucket bounds', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(10)).toBe(0);
    expect(bucketOf(bucketBounds(5).lowMs)).toBe(5);
    expect(bucketOf(bucketBounds(5).highMs - 0.001)).toBe(5);
    expect(bucketOf(10_000_000)).toBe(60);
    expect(BUCKET_ERROR).toBeCloseTo(0.0905, 4);
  });

  it('has no percentile without data', () => {
    expect(percentileMs(histogramOf('firstAudio', {}), 0.9)).toBeNull();
  });
});

describe('time zones and range plans', () => {
  it.each([
    ['2026-03-08T07:30:00Z', 'America/Los_Angeles', '2026-03-07'],
    ['2026-03-08T08:30:00Z', 'America/Los_Angeles', '2026-03-08'],
    ['2026-12-31T23:30:00Z', 'Europe/Berlin', '2027-01-01'],
    ['2026-06-01T00:00:00Z', 'UTC', '2026-06-01'],
  ])('%s in %s is local day %s', (iso, zone, day) => {
    expect(localDay(iso, zone)).toBe(day);
  });

  it.each([
    ['2026-03-08', 'America/Los_Angeles', 23],
    ['2026-11-01', 'America/Los_Angeles', 25],
    ['2026-03-29', 'Europe/Berlin', 23],
    ['2026-06-01', 'Asia/Tokyo', 24],
  ])('%s in %s has %i hours', (day, zone, hours) => {
    expect(utcHoursOfLocalDay(day, zone)).toHaveLength(hours);
  });
});

describe('CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1 555', "'+1 555"],
    ['-x', "'-x"],
    ['@cmd', "'@cmd"],
  ])('writes %j as %j', (value, expected) => {
    expect(csvRow([value])).toBe(`${expected}\r\n`);
  });

  it('keeps negative numbers numeric and round-trips quoted text', () => {
    expect(csvRow([-3, null, true])).toBe('-3,,true\r\n');
    const text = csvRow(['a,"b"', 'c\r\nd', 'e']) + csvRow(['x', '', 'z']);
    expect(parseCsv(text)).toEqual([
      ['a,"b"', 'c\r\nd', 'e'],
      ['x', '', 'z'],
    ]);
  });
});
