import { describe, expect, it } from 'vitest';
import { parseAmdCallback } from './amd-callback.ts';

const SID = `CA${'a'.repeat(32)}`;
const form = (fields: Record<string, string>) => new URLSearchParams(fields);

describe('parseAmdCallback', () => {
  it.each([
    [
      { CallSid: SID, AnsweredBy: 'machine_end_beep', MachineDetectionDuration: '8120' },
      { answeredBy: 'machine', providerVerdict: 'machine_end_beep', detectionMs: 8120 },
    ],
    [
      { CallSid: SID, AnsweredBy: 'human', MachineDetectionDuration: '1804' },
      { answeredBy: 'human', providerVerdict: 'human', detectionMs: 1804 },
    ],
    [
      { CallSid: SID, AnsweredBy: 'machine_end_v2', MachineDetectionDuration: 'soon' },
      { answeredBy: 'unknown', providerVerdict: 'machine_end_v2', detectionMs: undefined },
    ],
    [
      { CallSid: SID, AnsweredBy: 'fax' },
      { answeredBy: 'fax', providerVerdict: 'fax', detectionMs: undefined },
    ],
  ])('%o', (fields, verdict) => {
    expect(parseAmdCallback(form(fields))).toEqual({ kind: 'verdict', callSid: SID, verdict });
  });

  it.each([
    [{ AnsweredBy: 'human' }, 'CallSid'],
    [{ CallSid: 'CA123', AnsweredBy: 'human' }, 'CallSid'],
    [{ CallSid: SID }, 'AnsweredBy'],
    [{ CallSid: SID, AnsweredBy: '  ' }, 'AnsweredBy'],
  ])('%o is invalid (%s)', (fields, field) => {
    const parsed = parseAmdCallback(form(fields));
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.reason).toContain(field);
  });
});
