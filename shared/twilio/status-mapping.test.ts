import { describe, expect, it } from 'vitest';
import { callStatusFromTwilio, parseStatusCallback } from './status-mapping.ts';

const SID = `CA${'a'.repeat(32)}`;
const RECEIVED = new Date('2026-11-22T05:00:00.000Z');

describe('callStatusFromTwilio', () => {
  it.each([
    ['queued', null],
    ['initiated', null],
    ['ringing', 'ringing'],
    ['in-progress', 'in_progress'],
    ['completed', 'completed'],
    ['busy', 'busy'],
    ['no-answer', 'no_answer'],
    ['failed', 'failed'],
    ['canceled', 'canceled'],
    ['answered', undefined],
    ['toString', undefined],
    ['', undefined],
  ])('%s → %s', (twilio, ours) => {
    expect(callStatusFromTwilio(twilio)).toBe(ours);
  });
});

describe('parseStatusCallback', () => {
  const form = (fields: Record<string, string>) => new URLSearchParams({ CallSid: SID, ...fields });

  it.each([
    [
      'an answered call',
      { CallStatus: 'in-progress', SequenceNumber: '2', Timestamp: 'Sun, 22 Nov 2026 05:01:02 +0000' },
      { status: 'in_progress', sequence: 2, at: new Date('2026-11-22T05:01:02Z'), endReason: undefined },
    ],
    [
      'a completed call with its duration',
      { CallStatus: 'completed', SequenceNumber: '3', CallDuration: '42' },
      { status: 'completed', sequence: 3, durationSeconds: 42, endReason: 'caller_hangup', at: RECEIVED },
    ],
    ['a busy callee', { CallStatus: 'busy', SequenceNumber: '1' }, { status: 'busy', endReason: 'busy' }],
    [
      'no answer',
      { CallStatus: 'no-answer' },
      { status: 'no_answer', endReason: 'no_answer', sequence: undefined },
    ],
    [
      'a bad duration is dropped',
      { CallStatus: 'completed', CallDuration: '-1' },
      { durationSeconds: undefined },
    ],
    ['an unparseable Timestamp falls back', { CallStatus: 'ringing', Timestamp: 'soon' }, { at: RECEIVED }],
  ])('maps %s', (_name, fields, expected) => {
    const parsed = parseStatusCallback(form(fields), RECEIVED);
    expect(parsed.kind).toBe('update');
    expect(parsed.kind === 'update' && parsed.update).toMatchObject({ callSid: SID, ...expected });
  });

  it.each([
    ['initiated', 'no_status_change'],
    ['queued', 'no_status_change'],
    ['teleported', 'unknown_status'],
  ])('ignores CallStatus=%s (%s)', (status, reason) => {
    expect(parseStatusCallback(form({ CallStatus: status }), RECEIVED)).toMatchObject({
      kind: 'ignored',
      reason,
    });
  });

  it.each([
    ['a missing CallSid', new URLSearchParams({ CallStatus: 'completed' })],
    ['a malformed CallSid', new URLSearchParams({ CallSid: 'CA1', CallStatus: 'completed' })],
    ['a negative sequence', form({ CallStatus: 'completed', SequenceNumber: '-1' })],
    ['a fractional sequence', form({ CallStatus: 'completed', SequenceNumber: '1.5' })],
  ])('rejects %s', (_name, params) => {
    expect(parseStatusCallback(params, RECEIVED).kind).toBe('invalid');
  });
});
