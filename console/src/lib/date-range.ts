/** Dashboard date ranges: inclusive `from`/`to` calendar dates (YYYY-MM-DD) as the analytics API takes them. */
export interface DateRange {
  from: string;
  to: string;
}

export type RangePreset = '7d' | '30d' | '90d' | 'mtd';

export const RANGE_PRESETS: { id: RangePreset; label: string }[] = [
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
  { id: '90d', label: 'Last 90 days' },
  { id: 'mtd', label: 'Month to date' },
];

const DAY_MS = 86_400_000;

/** Today's date in `timeZone` (the tenant's), so "last 7 days" means the tenant's days. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function rangeFor(preset: RangePreset, timeZone: string, now: Date = new Date()): DateRange {
  const to = todayIn(timeZone, now);
  switch (preset) {
    case '7d':
      return { from: addDays(to, -6), to };
    case '30d':
      return { from: addDays(to, -29), to };
    case '90d':
      return { from: addDays(to, -89), to };
    case 'mtd':
      return { from: `${to.slice(0, 8)}01`, to };
  }
}

export function daysIn(range: DateRange): number {
  return Math.round((Date.parse(range.to) - Date.parse(range.from)) / DAY_MS) + 1;
}

/** Hourly points for a day or two, daily up to 3 months, weekly beyond: always a readable chart. */
export function granularityFor(range: DateRange): 'hour' | 'day' | 'week' {
  const days = daysIn(range);
  if (days <= 2) return 'hour';
  if (days <= 92) return 'day';
  return 'week';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A range read from the URL, or null when it is missing or not a valid, ordered pair of dates. */
export function parseRange(from: string | null, to: string | null): DateRange | null {
  if (!from || !to || !DATE.test(from) || !DATE.test(to)) return null;
  if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) return null;
  if (from > to) return null;
  return { from, to };
}
