import type { AttemptOutcome, ContactState, RetryRule, RetryRules } from './campaign-types.ts';

/**
 * End reasons that mean an answering machine took the call (the answering-machine detection of
 * the call path stores one of these); such a call counts as `voicemail`, not `completed`.
 */
const MACHINE_END_REASONS = /^(voicemail|machine|answering_machine)/;

/**
 * What a finished call means for its contact, from the call's final status and end reason. A
 * call that connected is `completed` unless a machine answered; a call canceled before anyone
 * answered (hung up during setup, ended through the API) is `failed`.
 */
export function attemptOutcomeOf(call: { status: string; endReason?: string }): AttemptOutcome {
  if (call.status === 'voicemail' || MACHINE_END_REASONS.test(call.endReason ?? '')) return 'voicemail';
  switch (call.status) {
    case 'completed':
      return 'completed';
    case 'busy':
      return 'busy';
    case 'no_answer':
      return 'no_answer';
    default:
      return 'failed';
  }
}

const RULE_OF: Record<Exclude<AttemptOutcome, 'completed'>, keyof RetryRules> = {
  no_answer: 'onNoAnswer',
  busy: 'onBusy',
  voicemail: 'onVoicemail',
  failed: 'onFailed',
};

/** After an attempt: the contact's next state, and how long to wait when it is retried. */
export type NextStep =
  | { state: Exclude<ContactState, 'scheduled'> }
  | { state: 'scheduled'; delayMinutes: number };

/**
 * The retry decision. `attempts` counts the attempt that just ended. An outcome whose rule allows
 * more attempts schedules the next one; otherwise the contact ends in the outcome's own state when
 * no retry was configured for it (`maxAttempts` 1), or `exhausted` when retries ran out.
 */
export function nextStepAfter(outcome: AttemptOutcome, attempts: number, rules: RetryRules): NextStep {
  if (outcome === 'completed') return { state: 'completed' };
  const rule: RetryRule = rules[RULE_OF[outcome]];
  if (attempts < rule.maxAttempts) return { state: 'scheduled', delayMinutes: rule.delayMinutes };
  return { state: rule.maxAttempts > 1 ? 'exhausted' : outcome };
}
