import { describe, expect, it } from 'vitest';
import type { CallTransfer } from '../calls/call-types.ts';
import { endedCallDeltas } from './analytics-counters.ts';
import { metricFunction } from './metrics.ts';

const attempt = (outcome: CallTransfer['outcome']): CallTransfer => ({
  to: '+14155550142',
  mode: 'warm',
  outcome,
  startedAt: '2026-12-04T09:00:00.000Z',
  endedAt: '2026-12-04T09:00:20.000Z',
});

describe('transfer counters', () => {
  it.each([
    ['no transfer', [], 'completed', {}],
    [
      'declined, then answered',
      ['declined', 'answered'],
      'transferred',
      { 'transfer#declined': 1, 'transfer#answered': 1, transfers: 1 },
    ],
    ['two unanswered', ['no_answer', 'no_answer'], 'agent_hangup', { 'transfer#no_answer': 2 }],
  ] as const)('%s', (_case, outcomes, endReason, expected) => {
    const deltas = endedCallDeltas({
      call: {
        status: 'completed',
        endReason,
        direction: 'inbound',
        provider: 'twilio',
        transfers: outcomes.map(attempt),
      },
      connectedSeconds: 30,
      billableSeconds: 60,
      chargeMicros: 0,
      escalations: 0,
    });
    const transferCounters = Object.fromEntries(
      Object.entries(deltas).filter(([name]) => name.startsWith('transfer')),
    );
    expect(transferCounters).toEqual(expected);
  });

  it('is queryable as the metric transfer:<outcome>', () => {
    expect(metricFunction('transfer:no_answer')).toBeDefined();
  });
});
