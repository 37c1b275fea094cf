import { describe, expect, it } from 'vitest';
import { formatTraceHeader, newSegmentId, newTraceId, parseTraceHeader } from './trace-header.ts';
import { currentTrace, runWithTrace } from './trace-scope.ts';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';

describe('parseTraceHeader', () => {
  it.each([
    [
      `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
      { root: ROOT, parent: '53995c3f42cd8ad8', sampled: true },
    ],
    [`Root=${ROOT}`, { root: ROOT }],
    [
      `root=${ROOT}; parent=53995c3f42cd8ad8; sampled=0`,
      { root: ROOT, parent: '53995c3f42cd8ad8', sampled: false },
    ],
    [`Root=${ROOT};Parent=nothex;Sampled=?`, { root: ROOT }],
    [`Root=${ROOT};Lineage=a87bd80c:1|68fd508a:5`, { root: ROOT }],
    ['Root=1-xyz-abc', undefined],
    ['Parent=53995c3f42cd8ad8', undefined],
    ['', undefined],
    [undefined, undefined],
    [`Root=${ROOT};${'x'.repeat(300)}`, undefined],
  ])('%s', (input, expected) => {
    expect(parseTraceHeader(input)).toEqual(expected);
  });

  it('round-trips what it formats', () => {
    const header = { root: ROOT, parent: '53995c3f42cd8ad8', sampled: true };
    expect(parseTraceHeader(formatTraceHeader(header))).toEqual(header);
  });
});

describe('new ids', () => {
  it('puts the start time in the trace id as X-Ray requires', () => {
    const id = newTraceId(Date.UTC(2026, 11, 4) + 999, Buffer.alloc(12, 0xab));
    expect(id).toBe(`1-${(Date.UTC(2026, 11, 4) / 1000).toString(16)}-${'ab'.repeat(12)}`);
    expect(parseTraceHeader(`Root=${newTraceId()};Parent=${newSegmentId()}`)).toBeDefined();
  });
});

describe('trace scope', () => {
  it('is the current trace inside, the Lambda environment outside', () => {
    const trace = { root: ROOT, parent: '53995c3f42cd8ad8' };
    expect(runWithTrace(trace, () => currentTrace())).toEqual(trace);
    expect(runWithTrace(undefined, () => currentTrace())).toBeUndefined();
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=1111111111111111;Sampled=1`;
    try {
      expect(currentTrace()).toEqual({ root: ROOT, parent: '1111111111111111', sampled: true });
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
  });
});
