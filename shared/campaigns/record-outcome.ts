import type { Call } from '../calls/call-types.ts';
import type { Db } from '../data/client.ts';
import { nextWindowOpening } from './calling-window.ts';
import { readContactContext } from './campaign-reads.ts';
import { attemptOutcomeOf, nextStepAfter } from './contact-outcome.ts';
import { moveContact } from './contact-store.ts';

/** Metadata keys that tie a campaign call to its contact (visible on the call, as any metadata). */
export const CAMPAIGN_METADATA = { campaignId: 'campaignId', contact: 'campaignContact' } as const;

/** How long an answered call may go without news before the dispatcher checks on it. */
export const IN_CALL_CHECK_MS = 15 * 60_000;

const campaignOf = (call: Pick<Call, 'metadata'>) => {
  const campaignId = call.metadata?.[CAMPAIGN_METADATA.campaignId];
  const number = call.metadata?.[CAMPAIGN_METADATA.contact];
  return campaignId && number ? { campaignId, number } : undefined;
};

/** The callee answered: `dialing` → `in_call`, only for the contact's current call. */
export async function recordCallAnswered(db: Db, call: Call, now: Date): Promise<boolean> {
  const ref = campaignOf(call);
  if (!ref) return false;
  const moved = await moveContact(
    db,
    ref,
    {
      from: 'dialing',
      to: 'in_call',
      set: { checkAt: new Date(now.getTime() + IN_CALL_CHECK_MS).toISOString() },
      require: {
        expression: '#callId = :callId',
        names: { '#callId': 'callId' },
        values: { ':callId': call.id },
      },
    },
    now,
  );
  return Boolean(moved);
}

export type EndedResult = 'not_campaign' | 'stale' | 'applied';

/**
 * A campaign call ended: the contact moves to its next state by the campaign's retry rules (a
 * retry is due at the next window opening after the rule's delay). Conditional on the contact's
 * current call being this one, so a duplicate event, or one for an earlier attempt, does nothing.
 */
export async function recordCallEnded(db: Db, call: Call, now: Date): Promise<EndedResult> {
  const ref = campaignOf(call);
  if (!ref) return 'not_campaign';
  // The contact may move dialing → in_call between the read and the write: re-read and try again.
  for (let round = 0; round < 3; round++) {
    const { contact, campaign } = await readContactContext(db, { tenantId: call.tenantId, ...ref });
    if (!contact || contact.callId !== call.id) return 'stale';
    if (!campaign) return 'stale';
    const outcome = attemptOutcomeOf(call);
    const step = nextStepAfter(outcome, contact.attempts, campaign.retry);
    let nextAttemptAt: string | undefined;
    if (step.state === 'scheduled') {
      const earliest = now.getTime() + step.delayMinutes * 60_000;
      nextAttemptAt = new Date(
        nextWindowOpening(earliest, contact.timezone, campaign.callingWindow) ?? earliest,
      ).toISOString();
    }
    const moved = await moveContact(
      db,
      contact,
      {
        from: contact.state,
        to: step.state,
        set: { lastOutcome: outcome, lastCallId: call.id, nextAttemptAt },
        remove: ['callId', 'dialToken', 'checkAt', ...(nextAttemptAt ? [] : (['nextAttemptAt'] as const))],
        require: {
          expression: '#callId = :callId',
          names: { '#callId': 'callId' },
          values: { ':callId': call.id },
        },
      },
      now,
    );
    if (moved) return 'applied';
  }
  return 'stale';
}
