import { describe, expect, it } from 'vitest';
import { type CallTransfer, TRANSFER_OUTCOME, transferTimeline } from './transfers.ts';

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 5, 10, 0, seconds)).toISOString();

describe('warm transfers as a supervisor reads them', () => {
  const cases: [string, CallTransfer, string][] = [
    [
      'answered',
      {
        to: '+14155550100',
        mode: 'warm',
        outcome: 'answered',
        startedAt: at(0),
        answeredAt: at(12),
        endedAt: at(40),
      },
      'picked up after 12s · connected after 40s',
    ],
    [
      'declined after picking up',
      {
        to: '+14155550100',
        mode: 'warm',
        outcome: 'declined',
        startedAt: at(0),
        answeredAt: at(5),
        endedAt: at(21),
      },
      'picked up after 5s · back with the agent after 21s',
    ],
    [
      'not answered',
      { to: '+14155550100', mode: 'warm', outcome: 'no_answer', startedAt: at(0), endedAt: at(30) },
      'back with the agent after 30s',
    ],
    [
      'caller hung up during the hold',
      { to: '+14155550100', mode: 'warm', outcome: 'canceled', startedAt: at(0), endedAt: at(3) },
      'back with the agent after 3s',
    ],
  ];
  it.each(cases)('%s', (_name, transfer, line) => {
    expect(transferTimeline(transfer)).toBe(line);
  });

  it('labels every outcome the API can send', () => {
    const outcomes: CallTransfer['outcome'][] = [
      'answered',
      'declined',
      'no_answer',
      'busy',
      'failed',
      'canceled',
    ];
    expect(outcomes.map((o) => TRANSFER_OUTCOME[o].label)).toEqual([
      'Handed over',
      'Declined by the person',
      'No answer',
      'Line busy',
      'Could not be dialled',
      'Caller hung up while holding',
    ]);
  });
});
