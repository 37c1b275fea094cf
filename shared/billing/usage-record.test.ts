import { describe, expect, it } from 'vitest';
import { type Call, emptyUsage } from '../calls/call-types.ts';
import { connectedSecondsOf } from './usage-record.ts';

const call = (fields: Partial<Call>): Call => ({
  id: 'call_1',
  tenantId: 'ten_1',
  agentId: 'agt_1',
  direction: 'inbound',
  provider: 'twilio',
  from: '+15550001111',
  to: '+15550002222',
  status: 'completed',
  createdAt: '2026-12-03T10:00:00.000Z',
  updatedAt: '2026-12-03T10:01:00.000Z',
  usage: emptyUsage(),
  metadata: {},
  ...fields,
});

describe('connectedSecondsOf', () => {
  const answeredAt = '2026-12-03T10:00:05.000Z';
  const cases: [string, Partial<Call>, number | undefined, number][] = [
    ['answer to end', { answeredAt, endedAt: '2026-12-03T10:01:09.500Z' }, undefined, 64.5],
    ['end before answer (clock skew)', { answeredAt, endedAt: '2026-12-03T10:00:01.000Z' }, undefined, 0],
    ['never answered', { status: 'no_answer' }, 30, 0],
    ['completed, duration only', { durationSeconds: 42 }, undefined, 42],
    ['completed, reported duration', {}, 17, 17],
    // The agent never came on the line (model unreachable): nothing to bill, however long it rang.
    ['failed after answer', { status: 'failed', answeredAt, endedAt: '2026-12-03T10:00:05.100Z' }, 1, 0],
    ['failed with a duration', { status: 'failed', durationSeconds: 3 }, undefined, 0],
  ];
  it.each(cases)('%s', (_name, fields, reported, expected) => {
    expect(connectedSecondsOf(call(fields), reported)).toBe(expected);
  });
});
