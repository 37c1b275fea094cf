import { describe, expect, it } from 'vitest';
import type { RetryRules } from './campaign-types.ts';
import { contactTimeZone } from './contact-timezone.ts';
import { attemptOutcomeOf, nextStepAfter } from './contact-outcome.ts';
import { fillPlaceholders, placeholdersIn, variableRules, variablesProblem } from './template-variables.ts';

describe('contactTimeZone', () => {
  it.each([
    [{ number: '+442071838750' }, { ok: true, timeZone: 'Europe/London', source: 'country' }],
    [{ number: '+4930901820' }, { ok: true, timeZone: 'Europe/Berlin', source: 'country' }],
    [{ number: '+919876543210' }, { ok: true, timeZone: 'Asia/Calcutta', source: 'country' }],
    [
      { number: '+14155550100', timezone: 'America/Denver' },
      { ok: true, timeZone: 'America/Denver', source: 'contact' },
    ],
    [
      { number: '+14155550100', campaignTimeZone: 'America/Chicago' },
      { ok: true, timeZone: 'America/Chicago', source: 'campaign' },
    ],
    [{ number: '+14155550100' }, { ok: false, error: 'timezone_required', country: 'US' }],
    // A campaign zone from another country is no guess for a US number.
    [
      { number: '+14155550100', campaignTimeZone: 'Europe/London' },
      { ok: false, error: 'timezone_required', country: 'US' },
    ],
    // Spain keeps two clocks (the Canaries are an hour behind).
    [{ number: '+34915550100' }, { ok: false, error: 'timezone_required', country: 'ES' }],
    [{ number: '+999123' }, { ok: false, error: 'unknown_country' }],
  ] as const)('%j', (input, expected) => {
    expect(contactTimeZone({ ...input, now: new Date('2026-06-01T00:00:00Z') })).toEqual(expected);
  });
});

describe('template variables', () => {
  it('finds placeholders and fills only the known ones', () => {
    const text = 'Hi {{firstName}}, about {{ appointmentTime }} — {{not a name}} {{unknown}}';
    expect(placeholdersIn(text, 'Hello {{firstName}}')).toEqual(['firstName', 'appointmentTime', 'unknown']);
    expect(fillPlaceholders(text, { firstName: 'Ada', appointmentTime: '3 pm' })).toBe(
      'Hi Ada, about 3 pm — {{not a name}} {{unknown}}',
    );
  });

  it.each([
    [{ firstName: 'Ada' }, undefined],
    [{ firstName: 'Ada', clinic: 'North' }, undefined],
    [{ firstName: 'Ada', lastName: 'L' }, 'unknown variable lastName'],
    [{}, 'missing variable firstName'],
    [{ firstName: '' }, 'missing variable firstName'],
  ])('contact variables %j → %s', (variables, problem) => {
    const rules = variableRules(['firstName', 'clinic'], { clinic: 'Main' });
    expect(variablesProblem(variables, rules)).toBe(problem);
  });
});

describe('attempt outcomes and retries', () => {
  it.each([
    [{ status: 'completed', endReason: 'caller_hangup' }, 'completed'],
    [{ status: 'completed', endReason: 'voicemail' }, 'voicemail'],
    [{ status: 'completed', endReason: 'voicemail_left' }, 'voicemail'],
    [{ status: 'completed', endReason: 'machine_detected' }, 'voicemail'],
    [{ status: 'busy', endReason: 'busy' }, 'busy'],
    [{ status: 'no_answer', endReason: 'no_answer' }, 'no_answer'],
    [{ status: 'failed', endReason: 'provider_rejected' }, 'failed'],
    [{ status: 'canceled', endReason: 'caller_hangup' }, 'failed'],
  ] as const)('%j → %s', (call, outcome) => {
    expect(attemptOutcomeOf(call)).toBe(outcome);
  });

  const rules: RetryRules = {
    onNoAnswer: { maxAttempts: 3, delayMinutes: 60 },
    onBusy: { maxAttempts: 2, delayMinutes: 10 },
    onVoicemail: { maxAttempts: 2, delayMinutes: 240 },
    onFailed: { maxAttempts: 1, delayMinutes: 0 },
  };
  it.each([
    ['completed', 1, { state: 'completed' }],
    ['no_answer', 1, { state: 'scheduled', delayMinutes: 60 }],
    ['no_answer', 2, { state: 'scheduled', delayMinutes: 60 }],
    ['no_answer', 3, { state: 'exhausted' }],
    ['busy', 1, { state: 'scheduled', delayMinutes: 10 }],
    ['busy', 2, { state: 'exhausted' }],
    ['voicemail', 1, { state: 'scheduled', delayMinutes: 240 }],
    ['voicemail', 2, { state: 'exhausted' }],
    ['failed', 1, { state: 'failed' }],
  ] as const)('%s after %d attempts → %j', (outcome, attempts, step) => {
    expect(nextStepAfter(outcome, attempts, rules)).toEqual(step);
  });
});
