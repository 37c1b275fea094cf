import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDateTime,
  formatDuration,
  formatLatency,
  formatNumber,
  formatOffset,
  formatPercent,
  formatPeriod,
  formatPhone,
  formatRelative,
  formatUsd,
  humanize,
  NONE,
} from './format.ts';

describe('formatting', () => {
  it.each([
    [0, '0s'],
    [42.4, '42s'],
    [59.6, '1 min'],
    [1800, '30 min'],
    [185, '3m 05s'],
    [3600, '1h'],
    [3725, '1h 02m'],
    [-3, '0s'],
    [null, NONE],
    [undefined, NONE],
    [Number.NaN, NONE],
  ])('duration %s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each([
    [0, '0 B'],
    [950, '950 B'],
    [12_345, '12.3 KB'],
    [960_044, '960 KB'],
    [4_800_044, '4.8 MB'],
    [57_600_044, '57.6 MB'],
    [2_500_000_000, '2.5 GB'],
    [null, NONE],
  ])('bytes %s → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0.5, '50%'],
    [0.1234, '12.3%'],
    [1, '100%'],
    [0, '0%'],
    [null, NONE],
  ])('percent %s → %s', (ratio, text) => {
    expect(formatPercent(ratio)).toBe(text);
  });

  it.each([
    [12.5, '$12.50'],
    [0, '$0.00'],
    [0.0042, '$0.0042'],
    [1234.5, '$1,234.50'],
    [null, NONE],
  ])('usd %s → %s', (amount, text) => {
    expect(formatUsd(amount)).toBe(text);
  });

  it.each([
    [850.4, '850 ms'],
    [999, '999 ms'],
    [1250, '1.25 s'],
    [null, NONE],
  ])('latency %s → %s', (ms, text) => {
    expect(formatLatency(ms)).toBe(text);
  });

  it.each([
    ['+14155550100', '+1 415 555 0100'],
    ['+442071838750', '+442071838750'],
    ['', NONE],
    [null, NONE],
  ])('phone %s → %s', (number, text) => {
    expect(formatPhone(number)).toBe(text);
  });

  it.each([
    ['no_answer', 'No answer'],
    ['agent_hangup', 'Agent hangup'],
    ['call.ended', 'Call ended'],
    [undefined, NONE],
  ])('humanize %s → %s', (code, text) => {
    expect(humanize(code)).toBe(text);
  });

  it('offsets turns from the call start', () => {
    expect(formatOffset('2026-01-01T10:00:00Z', '2026-01-01T10:01:05.900Z')).toBe('1:05');
    expect(formatOffset('2026-01-01T10:00:00Z', '2026-01-01T09:59:00Z')).toBe('0:00');
    expect(formatOffset('nonsense', '2026-01-01T09:59:00Z')).toBe(NONE);
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-01-02T12:00:00Z');
    expect(formatRelative('2026-01-02T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-01-02T11:55:00Z', now)).toBe('5 min ago');
    expect(formatRelative('2026-01-02T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative('2025-12-31T12:00:00Z', now)).toBe('2 d ago');
    expect(formatRelative(undefined, now)).toBe(NONE);
  });

  it('formats dates in the given timezone', () => {
    expect(formatDateTime('2026-03-01T07:30:00Z', 'America/Los_Angeles')).toBe('Feb 28, 2026, 11:30 PM');
    expect(formatDateTime('2026-03-01T07:30:00Z', 'UTC')).toBe('Mar 1, 2026, 7:30 AM');
    expect(formatDateTime('not a date')).toBe(NONE);
  });

  it('labels chart periods by granularity', () => {
    expect(formatPeriod('2026-03-05T00:00:00Z', 'day', 'UTC')).toBe('Mar 5');
    expect(formatPeriod('2026-03-01T00:00:00Z', 'month', 'UTC')).toBe('Mar 2026');
    expect(formatPeriod('2026-03-05T14:00:00Z', 'hour', 'UTC')).toMatch(/Mar 5.*2 PM/);
    // The API's day periods are plain dates: the label is that date whatever the browser's zone.
    expect(formatPeriod('2026-03-05', 'day')).toBe('Mar 5');
    expect(formatPeriod('2026-03', 'month')).toBe('Mar 2026');
  });

  it('rounds plain numbers to one decimal', () => {
    expect(formatNumber(1234.56)).toBe('1,234.6');
    expect(formatNumber(null)).toBe(NONE);
  });
});
