/**
 * Calendar arithmetic in IANA time zones with `Intl` only. Days and months of the analytics
 * buckets are the tenant's local ones; hours are UTC, so any zone's local days can be composed
 * from hours (DST days have 23 or 25 of them).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for a zone `Intl` knows (`Europe/Berlin`, `UTC`); false for anything else. */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function partsOf(ms: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return out as unknown as LocalParts;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The local calendar day (`YYYY-MM-DD`) of an instant in a zone. */
export function localDay(iso: string | number, timeZone: string): string {
  const p = partsOf(typeof iso === 'number' ? iso : Date.parse(iso), timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** The UTC hour (`YYYY-MM-DDTHH`) of an instant. */
export function utcHour(iso: string | number): string {
  return new Date(typeof iso === 'number' ? iso : Date.parse(iso)).toISOString().slice(0, 13);
}

/** Offset of the zone from UTC at an instant, in ms (local = UTC + offset). */
function offsetMs(ms: number, timeZone: string): number {
  const p = partsOf(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant local midnight starts `day` (`YYYY-MM-DD`) in a zone, as epoch ms. */
export function startOfLocalDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // Two passes settle on the right offset even when a DST change lies between guess and answer.
  let ms = guess - offsetMs(guess, timeZone);
  ms = guess - offsetMs(ms, timeZone);
  return ms;
}

/** `YYYY-MM-DD` plus `n` calendar days. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` inclusive (ascending). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) out.push(day);
  return out;
}

/** Number of calendar days from `from` to `to` inclusive. */
export function dayCount(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The UTC hours (`YYYY-MM-DDTHH`) that make up local `day` in a zone: 23, 24 or 25 of them. */
export function utcHoursOfLocalDay(day: string, timeZone: string): string[] {
  const start = startOfLocalDay(day, timeZone);
  const end = startOfLocalDay(addDays(day, 1), timeZone);
  const hours: string[] = [];
  // Zones with half-hour offsets start mid-hour: that UTC hour belongs to the day it starts in.
  for (let ms = Math.ceil(start / 3_600_000) * 3_600_000; ms < end; ms += 3_600_000) hours.push(utcHour(ms));
  return hours;
}

/** Monday of the ISO week holding `day`. */
export function weekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

/** Today in a zone. */
export function today(timeZone: string, now = new Date()): string {
  return localDay(now.getTime(), timeZone);
}
