/** Display formatting, pure so it is table-tested. Missing values show as an en dash. */
export const NONE = '–';

const isMissing = (value: number | null | undefined): value is null | undefined =>
  value === null || value === undefined || Number.isNaN(value);

export function formatNumber(value: number | null | undefined, locale = 'en-US'): string {
  if (isMissing(value)) return NONE;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value);
}

/** A 0–1 ratio as a percentage with one decimal where it matters (`0.5` → `50%`, `0.123` → `12.3%`). */
export function formatPercent(ratio: number | null | undefined, locale = 'en-US'): string {
  if (isMissing(ratio)) return NONE;
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

/** US dollars; sub-cent amounts keep four decimals so a single short call does not read as $0.00. */
export function formatUsd(amount: number | null | undefined, locale = 'en-US'): string {
  if (isMissing(amount)) return NONE;
  const digits = amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2;
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(amount);
}

/** Seconds as `42s`, `3m 05s`, `1h 02m`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (isMissing(seconds)) return NONE;
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total}s`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours > 0)
    return minutes === 0 && secs === 0 ? `${hours}h` : `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return secs === 0 ? `${minutes} min` : `${minutes}m ${String(secs).padStart(2, '0')}s`;
}

/** A file size in decimal units, as people read them: `950 B`, `12.3 KB`, `4.8 MB`. */
export function formatBytes(bytes: number | null | undefined, locale = 'en-US'): string {
  if (isMissing(bytes)) return NONE;
  const units = ['B', 'KB', 'MB', 'GB'] as const;
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

/** Milliseconds as `850 ms` or `1.25 s`. */
export function formatLatency(ms: number | null | undefined): string {
  if (isMissing(ms)) return NONE;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** An offset within a call (`m:ss`) between a turn and the call's start. */
export function formatOffset(startIso: string, atIso: string): string {
  const ms = Date.parse(atIso) - Date.parse(startIso);
  if (!Number.isFinite(ms)) return NONE;
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

export function formatDateTime(iso: string | null | undefined, timeZone?: string, locale = 'en-US'): string {
  if (!iso) return NONE;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return NONE;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago` relative to `now`. */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return NONE;
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return NONE;
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** E.164 grouped for reading: `+14155550100` → `+1 415 555 0100`; anything else unchanged. */
export function formatPhone(number: string | null | undefined): string {
  if (!number) return NONE;
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  if (nanp) return `+1 ${nanp[1]} ${nanp[2]} ${nanp[3]}`;
  return number;
}

/** `no_answer` → `No answer`. */
export function humanize(code: string | null | undefined): string {
  if (!code) return NONE;
  const words = code.replace(/[_.-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Axis labels of a time series by granularity (dates are UTC period starts from the API). */
export function formatPeriod(
  iso: string,
  granularity: 'hour' | 'day' | 'week' | 'month',
  timeZone?: string,
): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // Day, week and month periods are calendar dates (`2026-03-05`, `2026-03`): read them in UTC so
  // the label is that date in every browser timezone.
  const zone = timeZone ? { timeZone } : granularity === 'hour' ? {} : { timeZone: 'UTC' };
  if (granularity === 'hour')
    return new Intl.DateTimeFormat('en-US', {
      hour: 'numeric',
      day: 'numeric',
      month: 'short',
      ...zone,
    }).format(date);
  if (granularity === 'month')
    return new Intl.DateTimeFormat('en-US', { month: 'short', year: 'numeric', ...zone }).format(date);
  return new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', ...zone }).format(date);
}
