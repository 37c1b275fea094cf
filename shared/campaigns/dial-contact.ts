import { createHash } from 'node:crypto';
import type { CallDeps } from '../calls/call-deps.ts';
import { placeOutboundCall } from '../calls/outbound-calls.ts';
import { getCall } from '../data/calls.ts';
import { toAppError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import type { Logger } from '../logging/logger.ts';
import { isWithinWindow, nextWindowOpening } from './calling-window.ts';
import type { DialCommand } from './campaign-messages.ts';
import { readContactContext } from './campaign-reads.ts';
import type { Contact } from './campaign-types.ts';
import { moveContact } from './contact-store.ts';
import { CAMPAIGN_METADATA } from './record-outcome.ts';

/** Placed calls are looked at by the dispatcher after this if no event moved the contact on. */
export const PLACED_CHECK_MS = 3 * 60_000;
/** A dial the account cannot take right now (its concurrency, rate, a billing hold) waits this long. */
const DEFER_MS = 30_000;

export type DialResult =
  | 'placed'
  | 'stale'
  | 'campaign_not_running'
  | 'dnc'
  | 'outside_window'
  | 'deferred'
  | 'failed'
  | 'ended_by_provider';

/** The caller id of a contact: a pool maps each number to one of its members, always the same. */
export function callerIdFor(pool: readonly string[] | undefined, number: string): string | undefined {
  if (!pool || pool.length === 0) return undefined;
  const hash = createHash('sha256').update(number).digest().readUInt32BE(0);
  return pool[hash % pool.length];
}

const tokenIs = (token: string) => ({
  expression: '#dialToken = :token AND attribute_not_exists(#callId)',
  names: { '#dialToken': 'dialToken', '#callId': 'callId' },
  values: { ':token': token },
});

/**
 * Places the call of one claimed contact, at most once per claim. The contact must still hold
 * the command's `dialToken` with no call yet; the dialer then reserves the call id on the contact
 * (conditional write) before the call exists, so a duplicate command, a redelivery after a crash
 * or an overlapping dispatcher can never place a second call for the same claim. Checks made
 * here, at dial time: the campaign still runs, the number is not on the do-not-call list, and the
 * contact's window is open. The call goes through the same use case as `POST /v1/calls`
 * (admission, the tenant's concurrency, the provider).
 */
export async function dialContact(
  deps: CallDeps,
  command: DialCommand,
  logger: Logger,
  now = new Date(),
): Promise<DialResult> {
  const { db } = deps;
  // One read for the contact, its campaign and the do-not-call entry (all strongly consistent).
  const { contact, campaign, dnc } = await readContactContext(db, command, { withDnc: true });
  if (contact?.state !== 'dialing' || contact.dialToken !== command.dialToken || contact.callId) {
    return 'stale';
  }
  const waitingState = (c: Contact) => (c.attempts > 0 ? 'scheduled' : 'pending');
  const giveBack = async (nextAttemptAt: Date, lastError?: string) => {
    await moveContact(
      db,
      contact,
      {
        from: 'dialing',
        to: waitingState(contact),
        set: { nextAttemptAt: nextAttemptAt.toISOString(), lastError },
        remove: ['dialToken', 'checkAt'],
        require: tokenIs(command.dialToken),
      },
      now,
    );
  };
  if (campaign?.status !== 'running') {
    await giveBack(now);
    return 'campaign_not_running';
  }
  if (dnc) {
    await moveContact(
      db,
      contact,
      {
        from: 'dialing',
        to: 'skipped_dnc',
        remove: ['dialToken', 'checkAt', 'nextAttemptAt'],
        require: tokenIs(command.dialToken),
      },
      now,
    );
    return 'dnc';
  }
  if (!isWithinWindow(now.getTime(), contact.timezone, campaign.callingWindow)) {
    const opening = nextWindowOpening(now.getTime(), contact.timezone, campaign.callingWindow);
    await giveBack(new Date(opening ?? now.getTime() + 3_600_000));
    return 'outside_window';
  }
  const callId = newId('call', now.getTime());
  const claimed = await moveContact(
    db,
    contact,
    {
      from: 'dialing',
      to: 'dialing',
      // The read is current for callIds: only a write holding this token could have changed it.
      set: {
        callId,
        callIds: [...(contact.callIds ?? []), callId],
        checkAt: new Date(now.getTime() + PLACED_CHECK_MS).toISOString(),
      },
      addAttempts: 1,
      require: tokenIs(command.dialToken),
    },
    now,
  );
  if (!claimed) return 'stale';
  try {
    await placeOutboundCall(
      deps,
      command.tenantId,
      {
        agentId: campaign.agentId,
        to: contact.number,
        from: callerIdFor(campaign.from, contact.number),
        metadata: {
          [CAMPAIGN_METADATA.campaignId]: campaign.id,
          [CAMPAIGN_METADATA.contact]: contact.number,
        },
      },
      logger,
      { id: callId, variables: { ...campaign.variables, ...contact.variables } },
    );
    return 'placed';
  } catch (error) {
    // A call that was created and then refused by its provider has ended as `failed` and
    // announced `call.ended`: the outcome path moves the contact on, by the retry rules.
    if (await getCall(db, command.tenantId, callId)) return 'ended_by_provider';
    const failure = toAppError(error);
    const undo = {
      expression: '#callId = :callId',
      names: { '#callId': 'callId' },
      values: { ':callId': callId },
    };
    if (failure.retryable || failure.code === 'forbidden' || failure.code === 'rate_limited') {
      await moveContact(
        db,
        contact,
        {
          from: 'dialing',
          to: waitingState(contact),
          set: {
            nextAttemptAt: new Date(now.getTime() + DEFER_MS).toISOString(),
            lastError: failure.message,
            // No call was created: the reserved id is no call of this contact.
            callIds: contact.callIds ?? [],
          },
          remove: ['callId', 'dialToken', 'checkAt'],
          addAttempts: -1,
          require: undo,
        },
        now,
      );
      return 'deferred';
    }
    logger.warn('campaign contact could not be dialed', { campaignId: campaign.id, code: failure.code });
    await moveContact(
      db,
      contact,
      {
        from: 'dialing',
        to: 'failed',
        set: { lastOutcome: 'failed', lastError: failure.message, callIds: contact.callIds ?? [] },
        remove: ['callId', 'dialToken', 'checkAt', 'nextAttemptAt'],
        require: undo,
      },
      now,
    );
    return 'failed';
  }
}
