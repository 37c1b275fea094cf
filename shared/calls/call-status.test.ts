import { describe, expect, it } from 'vitest';
import { allowedPredecessors, canTransition, type CallStatus } from './call-status.ts';

describe('call status transitions', () => {
  const cases: [CallStatus, CallStatus, boolean][] = [
    ['queued', 'ringing', true],
    ['queued', 'in_progress', true],
    ['queued', 'canceled', true],
    ['ringing', 'in_progress', true],
    ['ringing', 'no_answer', true],
    ['ringing', 'busy', true],
    ['in_progress', 'completed', true],
    ['in_progress', 'failed', true],
    ['in_progress', 'ringing', false],
    ['in_progress', 'busy', false],
    ['completed', 'in_progress', false],
    ['completed', 'failed', false],
    ['failed', 'completed', false],
    ['canceled', 'queued', false],
    ['queued', 'queued', false],
  ];
  it.each(cases)('%s → %s is %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('lists the predecessors a status update is conditioned on', () => {
    expect(allowedPredecessors('in_progress')).toEqual(['queued', 'ringing']);
    expect(allowedPredecessors('completed')).toEqual(['queued', 'ringing', 'in_progress']);
    expect(allowedPredecessors('queued')).toEqual([]);
  });
});
