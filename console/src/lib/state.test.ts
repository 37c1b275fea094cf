import { describe, expect, it } from 'vitest';
import type { Timeseries } from '../api/contracts.ts';
import { AgentFormError, agentToForm, formToBody, parseNumberList } from './agent-form.ts';
import { filtersFromSearch, filtersToQuery, isLive, pollInterval, statusTone } from './call-state.ts';
import { addDays, daysIn, granularityFor, parseRange, rangeFor, todayIn } from './date-range.ts';
import { recentMonths } from './months.ts';
import { safeNext } from './navigation.ts';
import { passwordProblem } from './password.ts';
import { recordingParts } from './recording-parts.ts';
import { mergeSeries } from './series.ts';

describe('date ranges', () => {
  const now = new Date('2026-03-10T03:00:00Z');
  it('counts days in the tenant timezone', () => {
    expect(todayIn('UTC', now)).toBe('2026-03-10');
    expect(todayIn('America/Los_Angeles', now)).toBe('2026-03-09');
  });
  it.each([
    ['7d', { from: '2026-03-04', to: '2026-03-10' }],
    ['30d', { from: '2026-02-09', to: '2026-03-10' }],
    ['90d', { from: '2025-12-11', to: '2026-03-10' }],
    ['mtd', { from: '2026-03-01', to: '2026-03-10' }],
  ] as const)('preset %s', (preset, range) => {
    expect(rangeFor(preset, 'UTC', now)).toEqual(range);
    expect(daysIn(range)).toBe(preset === 'mtd' ? 10 : Number.parseInt(preset, 10));
  });
  it('picks a readable granularity', () => {
    expect(granularityFor({ from: '2026-03-10', to: '2026-03-10' })).toBe('hour');
    expect(granularityFor({ from: '2026-03-01', to: '2026-03-30' })).toBe('day');
    expect(granularityFor({ from: '2025-01-01', to: '2026-01-01' })).toBe('week');
  });
  it('reads only valid ordered ranges from the URL', () => {
    expect(parseRange('2026-03-01', '2026-03-05')).toEqual({ from: '2026-03-01', to: '2026-03-05' });
    expect(parseRange('2026-03-05', '2026-03-01')).toBeNull();
    expect(parseRange('2026-3-1', '2026-03-05')).toBeNull();
    expect(parseRange(null, '2026-03-05')).toBeNull();
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
  });
});

describe('calls list state', () => {
  it('marks and polls live calls faster', () => {
    expect(isLive({ status: 'in_progress' })).toBe(true);
    expect(isLive({ status: 'ringing' })).toBe(true);
    expect(isLive({ status: 'completed' })).toBe(false);
    expect(statusTone('failed')).toBe('bad');
    expect(pollInterval([{ status: 'completed' }, { status: 'in_progress' }])).toBe(3_000);
    expect(pollInterval([{ status: 'completed' }])).toBe(15_000);
    expect(pollInterval([])).toBe(15_000);
  });
  it('reads filters from the URL and drops unknown values', () => {
    const filters = filtersFromSearch(
      new URLSearchParams('status=in_progress&direction=sideways&since=2026-03-01&until=bad&agentId=agt_1'),
    );
    expect(filters).toEqual({ status: 'in_progress', since: '2026-03-01', agentId: 'agt_1' });
    expect(filtersFromSearch(new URLSearchParams('status=exploded'))).toEqual({});
  });
  it('turns date filters into an inclusive UTC window', () => {
    expect(filtersToQuery({ since: '2026-03-01', until: '2026-03-02' })).toMatchObject({
      since: '2026-03-01T00:00:00Z',
      until: '2026-03-03T00:00:00.000Z',
    });
  });
});

describe('chart series', () => {
  it('merges metrics into one row per period, in time order', () => {
    const series = (metric: string, values: [string, number | null][]): Timeseries => ({
      metric,
      granularity: 'day',
      range: { from: '2026-03-01', to: '2026-03-03', timezone: 'UTC' },
      points: values.map(([start, value]) => ({ start, value })),
    });
    const rows = mergeSeries(
      {
        completed: series('completed', [
          ['2026-03-02', 3],
          ['2026-03-01', 1],
        ]),
        failed: series('failed', [['2026-03-01', 2]]),
      },
      ['completed', 'failed', 'busy'],
    );
    expect(rows).toEqual([
      { start: '2026-03-01', completed: 1, failed: 2 },
      { start: '2026-03-02', completed: 3 },
    ]);
  });
});

describe('agent form', () => {
  const form = {
    ...agentToForm(),
    name: ' Reception ',
    instructions: 'Be kind.',
    greeting: '',
    tools: [
      { name: 'book', description: 'Books', url: 'https://x.test/book', parameters: '{"type":"object"}' },
    ],
  };
  it('omits empty optional fields on create and clears them with null on edit', () => {
    const created = formToBody(form, 'create', false);
    expect(created).toMatchObject({
      name: 'Reception',
      voice: 'marin',
      maxDurationSeconds: 1800,
      idleTimeoutSeconds: 30,
    });
    expect(created).not.toHaveProperty('greeting');
    expect(created).not.toHaveProperty('knowledgeBaseIds');
    expect(formToBody(form, 'edit', true)).toMatchObject({ greeting: null, knowledgeBaseIds: [] });
    expect(created.tools).toEqual([
      {
        type: 'http',
        name: 'book',
        description: 'Books',
        url: 'https://x.test/book',
        parameters: { type: 'object' },
      },
    ]);
  });
  it('names the tool whose parameters are not a JSON object', () => {
    expect(() =>
      formToBody({ ...form, tools: [{ ...form.tools[0]!, parameters: '{oops' }] }, 'create', false),
    ).toThrow(/Tool 1 \(book\)/);
    expect(() =>
      formToBody({ ...form, tools: [{ ...form.tools[0]!, parameters: '[1]' }] }, 'create', false),
    ).toThrow(/JSON object/);
  });
});

describe('small rules', () => {
  it('follows only same-site paths after sign-in', () => {
    expect(safeNext('/calls?status=failed')).toBe('/calls?status=failed');
    expect(safeNext('//evil.test')).toBe('/');
    expect(safeNext('/\\evil.test')).toBe('/');
    expect(safeNext('https://evil.test')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
  it('checks passwords before the round trip', () => {
    expect(passwordProblem('short', 'short')).toMatch(/12 characters/);
    expect(passwordProblem('long enough pass', 'long enough pasS')).toMatch(/differ/);
    expect(passwordProblem('long enough pass', 'long enough pass')).toBeNull();
  });
  it('lists recent months newest first across a year boundary', () => {
    expect(recentMonths(new Date('2026-02-15T00:00:00Z'), 3)).toEqual(['2026-02', '2026-01', '2025-12']);
  });

  it('sends recording, voicemail and warm-transfer numbers as the API takes them', () => {
    const form = { ...agentToForm(), name: 'Reception', instructions: 'Be kind.' };
    const full = {
      ...form,
      transferNumbers: '+1 (415) 555-0101\n+14155550102, ',
      recording: { enabled: true, channels: 'mono' as const, retentionDays: '90', disclosure: ' Recorded. ' },
      voicemail: { action: 'leave_message' as const, message: ' Call us back. ' },
    };
    expect(formToBody(full, 'create', false)).toMatchObject({
      transferNumbers: ['+14155550101', '+14155550102'],
      recording: { enabled: true, channels: 'mono', retentionDays: 90, disclosure: 'Recorded.' },
      voicemail: { action: 'leave_message', message: 'Call us back.' },
    });
    const off = formToBody(form, 'create', false);
    expect(off).not.toHaveProperty('recording');
    expect(off).not.toHaveProperty('voicemail');
    expect(off).not.toHaveProperty('transferNumbers');
    // Editing: off keeps the recording choices; cleared settings are removed with null.
    expect(formToBody(form, 'edit', false)).toMatchObject({
      recording: { enabled: false, channels: 'dual', retentionDays: 30 },
      voicemail: null,
      transferNumbers: null,
    });
    expect(
      formToBody({ ...full, voicemail: { action: 'hangup', message: 'ignored' } }, 'edit', false).voicemail,
    ).toEqual({
      action: 'hangup',
    });
    expect(() =>
      formToBody({ ...full, voicemail: { action: 'leave_message', message: ' ' } }, 'create', false),
    ).toThrow(AgentFormError);
  });

  it.each([
    ['+14155550101', ['+14155550101']],
    ['+1 415 555 0101', ['+14155550101']],
    ['+1-415-555-0101\n+44 20 7183 8750; +33.1.23', ['+14155550101', '+442071838750', '+33123']],
    ['', []],
  ])('number list %j', (text, numbers) => {
    expect(parseNumberList(text)).toEqual(numbers);
  });
});

describe('recording parts', () => {
  const segment = (n: number, offsetSeconds: number, durationSeconds: number) => ({
    segment: n,
    url: `https://files.test/${n}.wav`,
    expiresAt: '2026-12-04T12:00:00.000Z',
    durationSeconds,
    channels: 'dual' as const,
    bytes: durationSeconds * 16_000,
    offsetSeconds,
  });
  const link = (segments: ReturnType<typeof segment>[]) => ({
    url: segments[0]?.url ?? 'https://files.test/0.wav',
    expiresAt: '2026-12-04T12:00:00.000Z',
    durationSeconds: segments.reduce((sum, s) => sum + s.durationSeconds, 0),
    channels: 'dual' as const,
    bytes: segments.reduce((sum, s) => sum + s.bytes, 0),
    segments,
  });
  it.each([
    {
      name: 'one segment: one player for the whole call',
      segments: [segment(0, 0, 95)],
      expected: [['Call recording', '1m 35s', '0']],
    },
    {
      name: 'resumed once: one player per segment, where each starts',
      segments: [segment(0, 0, 40), segment(1, 42, 80)],
      expected: [
        ['Part 1 of 2', 'from the start · 40s', '0'],
        ['Part 2 of 2', 'from 42s into the call · 1m 20s', '1'],
      ],
    },
    {
      name: 'a lost middle segment leaves a gap in the offsets',
      segments: [segment(0, 0, 30), segment(2, 125, 60)],
      expected: [
        ['Part 1 of 2', 'from the start · 30s', '0'],
        ['Part 2 of 2', 'from 2m 05s into the call · 1 min', '2'],
      ],
    },
  ])('$name', ({ segments, expected }) => {
    expect(
      recordingParts(link(segments)).map((p) => [p.label, p.detail, p.url.match(/(\d+)\.wav$/)?.[1]]),
    ).toEqual(expected);
  });
});
