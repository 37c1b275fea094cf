/**
 * Calling windows: the local days and hours a contact may be dialed, evaluated in the contact's
 * own IANA time zone with `Intl` (so DST changes are the zone database's, not ours). Pure
 * functions of an instant; nothing here reads a clock.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface CallingWindow {
  /** Local days on which calls may be placed. */
  days: Weekday[];
  /** Local opening time, `HH:MM` (24-hour). */
  start: string;
  /** Local closing time, `HH:MM`, after `start`: the last dial happens before it. */
  end: string;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of an `HH:MM` time, or undefined when malformed. */
export function minutesOf(time: string): number | undefined {
  const match = HH_MM.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
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

interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: Weekday;
  /** Minutes after local midnight. */
  minute: number;
  second: number;
}

function localTime(ms: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: (parts.weekday ?? 'Mon').toLowerCase().slice(0, 3) as Weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
    second: Number(parts.second),
  };
}

/** UTC offset of the zone at an instant, in ms (local = UTC + offset). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, Math.floor(t.minute / 60), t.minute % 60, t.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens on a local date. A repeated time (the hour clocks
 * fall back over) resolves to its first occurrence; a skipped one (02:30 on a spring-forward
 * night) to the same wall time read with the offset after the jump, an hour later, which is
 * still after the window opened.
 */
function instantOfLocal(year: number, month: number, day: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, Math.floor(minute / 60), minute % 60);
  const candidates = [
    wall - zoneOffsetMs(wall - 43_200_000, timeZone),
    wall - zoneOffsetMs(wall + 43_200_000, timeZone),
  ].sort((a, b) => a - b);
  const exact = candidates.find((ms) => {
    const local = localTime(ms, timeZone);
    return local.minute === minute && local.day === day;
  });
  return exact ?? (candidates[1] as number);
}

/** True when `ms` is inside the window on its local day in `timeZone`. */
export function isWithinWindow(ms: number, timeZone: string, window: CallingWindow): boolean {
  const local = localTime(ms, timeZone);
  const start = minutesOf(window.start) ?? 0;
  const end = minutesOf(window.end) ?? 0;
  return window.days.includes(local.weekday) && local.minute >= start && local.minute < end;
}

/**
 * The first instant at or after `ms` that is inside the window: `ms` itself when it already is,
 * otherwise the next opening on an allowed local day. Undefined only for a window with no days.
 */
export function nextWindowOpening(ms: number, timeZone: string, window: CallingWindow): number | undefined {
  if (window.days.length === 0) return undefined;
  if (isWithinWindow(ms, timeZone, window)) return ms;
  const start = minutesOf(window.start) ?? 0;
  const local = localTime(ms, timeZone);
  // Eight local days cover every weekday after today, plus today's opening if it is still ahead.
  for (let offset = 0; offset <= 7; offset++) {
    const date = new Date(Date.UTC(local.year, local.month - 1, local.day + offset));
    const weekday = WEEKDAYS[(date.getUTCDay() + 6) % 7] as Weekday;
    if (!window.days.includes(weekday)) continue;
    const opening = instantOfLocal(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      start,
      timeZone,
    );
    if (opening > ms && isWithinWindow(opening, timeZone, window)) return opening;
  }
  return undefined;
}

/** Why a window is unusable, as `[field, message]`, or undefined when it is fine. */
export function windowProblem(window: CallingWindow): [string, string] | undefined {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === undefined) return ['callingWindow.start', 'must be a time HH:MM (24-hour)'];
  if (end === undefined) return ['callingWindow.end', 'must be a time HH:MM (24-hour)'];
  if (start >= end) return ['callingWindow.end', 'must be after callingWindow.start (same local day)'];
  if (window.days.length === 0) return ['callingWindow.days', 'must name at least one day'];
  return undefined;
}
