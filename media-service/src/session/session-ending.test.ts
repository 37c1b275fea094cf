import { describe, expect, it } from 'vitest';
import { endPlanFor } from './session-ending.ts';

describe('endPlanFor voicemail', () => {
  it('leaves the message word for word, with room for a minute of speech', () => {
    const plan = endPlanFor('voicemail', {
      voicemail: { action: 'leave_message', message: 'Your order is ready. Call us at 555 0100.' },
    });
    expect(plan.reason).toBe('voicemail');
    expect(plan.sayInstructions).toContain('"Your order is ready. Call us at 555 0100."');
    expect(plan.lineTimeoutMs).toBeGreaterThanOrEqual(60_000);
    expect(plan.playoutCapMs).toBeGreaterThanOrEqual(60_000);
  });

  it.each([[{ action: 'hangup' as const }], [undefined]])('hangs up without a word for %o', (voicemail) => {
    expect(endPlanFor('voicemail', { voicemail })).toEqual({ reason: 'voicemail' });
  });

  it('says nothing to a fax machine', () => {
    expect(endPlanFor('fax', {})).toEqual({ reason: 'fax' });
  });
});
