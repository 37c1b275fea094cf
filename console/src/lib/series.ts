import type { Timeseries } from '../api/contracts.ts';

/**
 * Several timeseries (same range and granularity) as one row per period, the shape charts take:
 * `[{start, completed: 3, failed: 1}, …]`. A metric missing from a period is left out.
 */
export function mergeSeries(
  series: Record<string, Timeseries | undefined>,
  metrics: readonly string[],
): Record<string, string | number | null>[] {
  const rows = new Map<string, Record<string, string | number | null>>();
  for (const metric of metrics) {
    for (const point of series[metric]?.points ?? []) {
      let row = rows.get(point.start);
      if (!row) {
        row = { start: point.start };
        rows.set(point.start, row);
      }
      row[metric] = point.value;
    }
  }
  return [...rows.values()].sort((a, b) => String(a.start).localeCompare(String(b.start)));
}
