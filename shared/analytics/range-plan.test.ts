import { describe, expect, it } from 'vitest';
import { combineParts, planRange } from './analytics-reads.ts';
import { addDays, daysBetween } from './time-zones.ts';

/** Counters of one day, distinct per day and counter, so a wrong or double-counted day shows. */
const dayCounters = (day: string) => {
  const n = Number(day.replaceAll('-', ''));
  return { calls: n % 97, 'lat#response#20': n % 13, [`status#${n % 3}`]: 1 };
};

/** Reads a plan against day and month buckets built from `dayCounters`, as DynamoDB would answer. */
function readPlan(from: string, to: string, options: { fewestQueries?: boolean } = {}) {
  const plan = planRange(from, to, options);
  const parts = plan.map((part) => {
    const days =
      part.granule === 'day'
        ? daysBetween(part.from, part.to)
        : daysBetween(`${part.from}-01`, addDays(`${addDays(`${part.to}-28`, 4).slice(0, 7)}-01`, -1));
    return {
      sign: part.sign,
      counters: combineParts(days.map((d) => ({ sign: 1, counters: dayCounters(d) }))),
    };
  });
  return { plan, counters: combineParts(parts) };
}

describe('range plans (whole months, edge days or month minus the days outside)', () => {
  it.each([
    // 90 days from the 5th: September minus its first four days, October, November, three December days.
    [
      '2026-09-05',
      '2026-12-03',
      [
        { granule: 'day', from: '2026-09-01', to: '2026-09-04', sign: -1 },
        { granule: 'day', from: '2026-12-01', to: '2026-12-03', sign: 1 },
        { granule: 'month', from: '2026-09', to: '2026-11', sign: 1 },
      ],
    ],
    [
      '2026-01-01',
      '2026-03-01',
      [
        { granule: 'day', from: '2026-03-01', to: '2026-03-01', sign: 1 },
        { granule: 'month', from: '2026-01', to: '2026-02', sign: 1 },
      ],
    ],
    // Late start, late end: the head as days, the tail as its month minus the days after it.
    [
      '2025-10-25',
      '2026-03-28',
      [
        { granule: 'day', from: '2025-10-25', to: '2025-10-31', sign: 1 },
        { granule: 'day', from: '2026-03-29', to: '2026-03-31', sign: -1 },
        { granule: 'month', from: '2025-11', to: '2026-03', sign: 1 },
      ],
    ],
    ['2026-02-01', '2026-02-28', [{ granule: 'month', from: '2026-02', to: '2026-02', sign: 1 }]],
    ['2026-02-03', '2026-02-12', [{ granule: 'day', from: '2026-02-03', to: '2026-02-12', sign: 1 }]],
    // Most of one month: the month minus the days on both sides.
    [
      '2026-02-03',
      '2026-02-25',
      [
        { granule: 'day', from: '2026-02-01', to: '2026-02-02', sign: -1 },
        { granule: 'day', from: '2026-02-26', to: '2026-02-28', sign: -1 },
        { granule: 'month', from: '2026-02', to: '2026-02', sign: 1 },
      ],
    ],
  ] as const)('%s..%s', (from, to, expected) => {
    expect(planRange(from, to)).toEqual(expected);
  });

  it('spends one Query of days when asked for the fewest Queries (≤ 100 days)', () => {
    expect(planRange('2026-09-05', '2026-12-03', { fewestQueries: true })).toEqual([
      { granule: 'day', from: '2026-09-05', to: '2026-12-03', sign: 1 },
    ]);
  });

  it('sums exactly the range’s days, with at most three Queries and ~15 day items per end', () => {
    const starts = daysBetween('2025-12-01', '2026-03-31');
    for (const from of starts) {
      for (const length of [1, 2, 7, 15, 16, 28, 29, 30, 31, 45, 60, 89, 90, 91, 180, 366]) {
        const to = addDays(from, length - 1);
        for (const fewestQueries of [false, true]) {
          const { plan, counters } = readPlan(from, to, { fewestQueries });
          const expected = combineParts(
            daysBetween(from, to).map((d) => ({ sign: 1, counters: dayCounters(d) })),
          );
          expect(counters, `${from}..${to}`).toEqual(expected);
          expect(plan.length).toBeLessThanOrEqual(3);
          if (!fewestQueries) {
            const dayItems = plan
              .filter((p) => p.granule === 'day')
              .reduce((n, p) => n + daysBetween(p.from, p.to).length, 0);
            expect(dayItems, `${from}..${to}`).toBeLessThanOrEqual(31);
          }
        }
      }
    }
  });

  it('drops counters that the subtraction brings to zero', () => {
    expect(
      combineParts([
        { sign: 1, counters: { calls: 5, 'status#failed': 1 } },
        { sign: -1, counters: { calls: 2, 'status#failed': 1 } },
      ]),
    ).toEqual({ calls: 3 });
  });
});
