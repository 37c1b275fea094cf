import { describe, expect, it } from 'vitest';
import { type CallingWindow, isWithinWindow, nextWindowOpening, windowProblem } from './calling-window.ts';

const weekdays: CallingWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' };
const everyDay: CallingWindow = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  start: '09:00',
  end: '18:00',
};
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('isWithinWindow', () => {
  it.each([
    // [instant, zone, window, inside]
    ['2026-03-09T13:59:00Z', 'America/New_York', weekdays, true], // 09:59 EDT, Monday after the change
    ['2026-03-09T12:59:00Z', 'America/New_York', weekdays, false], // 08:59 EDT
    ['2026-03-06T13:59:00Z', 'America/New_York', weekdays, false], // 08:59 EST, Friday before
    ['2026-03-06T14:00:00Z', 'America/New_York', weekdays, true], // 09:00 EST
    ['2026-03-06T22:59:00Z', 'America/New_York', weekdays, true], // 17:59 EST
    ['2026-03-06T23:00:00Z', 'America/New_York', weekdays, false], // 18:00 EST: closed
    ['2026-03-07T15:00:00Z', 'America/New_York', weekdays, false], // Saturday
    ['2026-03-07T15:00:00Z', 'America/New_York', everyDay, true],
    ['2026-10-26T08:00:00Z', 'Europe/Berlin', weekdays, true], // 09:00 CET, Monday after fall-back
    ['2026-10-23T07:00:00Z', 'Europe/Berlin', weekdays, true], // 09:00 CEST, Friday before
    ['2026-10-26T07:59:00Z', 'Europe/Berlin', weekdays, false], // 08:59 CET
    ['2026-01-05T03:30:00Z', 'Asia/Kolkata', weekdays, true], // 09:00 IST (+05:30)
    ['2026-01-05T03:29:00Z', 'Asia/Kolkata', weekdays, false],
    ['2026-01-04T22:00:00Z', 'Pacific/Auckland', weekdays, true], // Mon 11:00 NZDT, Sunday in UTC
    ['2026-01-05T15:00:00Z', 'Pacific/Auckland', weekdays, false], // Tue 04:00 NZDT
  ] as const)('%s in %s → %s', (instant, zone, window, inside) => {
    expect(isWithinWindow(at(instant), zone, window)).toBe(inside);
  });
});

describe('nextWindowOpening', () => {
  it.each([
    // Inside: now.
    ['2026-06-10T15:00:00Z', 'America/New_York', weekdays, '2026-06-10T15:00:00.000Z'],
    // Before opening: today's 09:00 local.
    ['2026-06-10T11:00:00Z', 'America/New_York', weekdays, '2026-06-10T13:00:00.000Z'],
    // After closing on Friday: Monday 09:00.
    ['2026-06-12T23:30:00Z', 'America/New_York', weekdays, '2026-06-15T13:00:00.000Z'],
    // Friday evening before the spring-forward weekend: Monday 09:00 EDT (13:00Z, not 14:00Z).
    ['2026-03-06T23:30:00Z', 'America/New_York', weekdays, '2026-03-09T13:00:00.000Z'],
    // Saturday before fall-back in Berlin: Monday 09:00 CET (08:00Z).
    ['2026-10-24T10:00:00Z', 'Europe/Berlin', weekdays, '2026-10-26T08:00:00.000Z'],
    // Sunday of the US spring-forward: the 09:00 opening is already EDT.
    ['2026-03-08T05:00:00Z', 'America/New_York', everyDay, '2026-03-08T13:00:00.000Z'],
    // The same UTC instant is a different local day in Auckland and in Los Angeles.
    ['2026-01-09T23:00:00Z', 'Pacific/Auckland', weekdays, '2026-01-11T20:00:00.000Z'],
    ['2026-01-09T23:00:00Z', 'America/Los_Angeles', weekdays, '2026-01-09T23:00:00.000Z'],
    // Half-hour zone.
    ['2026-01-05T00:00:00Z', 'Asia/Kolkata', weekdays, '2026-01-05T03:30:00.000Z'],
  ] as const)('from %s in %s → %s', (from, zone, window, expected) => {
    expect(iso(nextWindowOpening(at(from), zone, window))).toBe(expected);
  });

  it('opens a window starting in the skipped hour of a spring-forward night still inside it', () => {
    const window: CallingWindow = { days: ['sun'], start: '02:30', end: '05:00' };
    const opening = nextWindowOpening(at('2026-03-08T05:00:00Z'), 'America/New_York', window);
    expect(opening).toBeDefined();
    expect(isWithinWindow(opening as number, 'America/New_York', window)).toBe(true);
    expect(iso(opening)).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
  });

  it('never returns an instant outside the window, hour by hour over a DST year', () => {
    const zones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Tokyo'];
    for (const zone of zones) {
      for (let ms = at('2026-01-01T00:00:00Z'); ms < at('2027-01-01T00:00:00Z'); ms += 7 * 3_600_000) {
        const opening = nextWindowOpening(ms, zone, weekdays) as number;
        expect(opening).toBeGreaterThanOrEqual(ms);
        expect(isWithinWindow(opening, zone, weekdays)).toBe(true);
        expect(opening - ms).toBeLessThan(4 * 86_400_000);
      }
    }
  });
});

describe('windowProblem', () => {
  it.each([
    [{ days: ['mon'], start: '18:00', end: '09:00' }, 'callingWindow.end'],
    [{ days: ['mon'], start: '09:00', end: '09:00' }, 'callingWindow.end'],
    [{ days: ['mon'], start: '9:00', end: '18:00' }, 'callingWindow.start'],
    [{ days: ['mon'], start: '09:00', end: '24:00' }, 'callingWindow.end'],
    [{ days: [], start: '09:00', end: '18:00' }, 'callingWindow.days'],
  ] as const)('%j → %s', (window, field) => {
    expect(windowProblem(window as unknown as CallingWindow)?.[0]).toBe(field);
  });

  it('accepts a good window', () => {
    expect(windowProblem(weekdays)).toBeUndefined();
  });
});
