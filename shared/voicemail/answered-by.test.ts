import { describe, expect, it } from 'vitest';
import { actionFor, answeredByFromAsterisk, answeredByFromTwilio } from './answered-by.ts';

describe('answeredByFromTwilio', () => {
  it.each([
    ['human', 'human', 'converse'],
    ['machine_start', 'machine', 'voicemail'],
    ['machine_end_beep', 'machine', 'voicemail'],
    ['machine_end_silence', 'machine', 'voicemail'],
    ['machine_end_other', 'machine', 'voicemail'],
    ['fax', 'fax', 'hang_up'],
    ['unknown', 'unknown', 'converse'],
    ['something_new', 'unknown', 'converse'],
    ['', 'unknown', 'converse'],
    ['__proto__', 'unknown', 'converse'],
  ])('%s → %s → %s', (value, answeredBy, action) => {
    expect(answeredByFromTwilio(value)).toBe(answeredBy);
    expect(actionFor(answeredByFromTwilio(value))).toBe(action);
  });
});

describe('answeredByFromAsterisk', () => {
  it.each([
    ['MACHINE', 'machine'],
    ['HUMAN', 'human'],
    ['human', 'human'],
    ['NOTSURE', 'unknown'],
    ['HANGUP', 'unknown'],
    ['', 'unknown'],
  ])('AMDSTATUS=%s → %s', (status, answeredBy) => {
    expect(answeredByFromAsterisk(status)).toBe(answeredBy);
  });
});
