import { describe, expect, it } from 'vitest';
import type { EndReason } from '#shared/calls/call-types.ts';
import { callOutcome } from './call-outcome.ts';

describe('callOutcome', () => {
  it.each<[EndReason, string]>([
    ['caller_hangup', 'completed'],
    ['agent_hangup', 'completed'],
    ['api_request', 'completed'],
    ['transferred', 'completed'],
    ['max_duration', 'completed'],
    ['idle_timeout', 'completed'],
    ['shutdown', 'completed'],
    ['model_error', 'failed'],
    ['media_error', 'failed'],
    ['failed', 'failed'],
    ['rejected', 'failed'],
    ['busy', 'busy'],
    ['no_answer', 'no_answer'],
    ['canceled', 'canceled'],
  ])('%s counts as %s', (reason, outcome) => {
    expect(callOutcome(reason)).toBe(outcome);
  });
});
