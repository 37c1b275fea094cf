import { getCallOwnerHold, type OwnerHold, releaseCallOwner } from '#shared/data/call-owners.ts';
import { holdUntilMs } from '#shared/data/owner-lease.ts';
import type { AriRest } from '../asterisk/ari-rest.ts';
import { type AsteriskCalls, type AsteriskDeps, OUR_ID_PREFIX, tagsFor } from '../asterisk/asterisk-calls.ts';
import { admitResume } from '../resume/resume-admission.ts';
import { resumeTelemetry } from '../resume/resume-opening.ts';
import { markCallEnded } from '../session/call-lifecycle.ts';
import type { OrphanedCall, ResumeHook } from './unclaimed-connection.ts';

/** How often a takeover re-reads the owner record while the old owner may still be letting go. */
const OWNER_POLL_MS = 200;

const BRIDGE_PREFIX = `${OUR_ID_PREFIX}bridge-`;

/** The call id of one of our bridges (`ai-caller-bridge-<callId>`), if it is one. */
export function callIdOfBridge(bridgeId: string): string | undefined {
  if (!bridgeId.startsWith(BRIDGE_PREFIX)) return undefined;
  const callId = bridgeId.slice(BRIDGE_PREFIX.length);
  return /^[A-Za-z0-9_-]{1,100}$/.test(callId) ? callId : undefined;
}

/** The media channel id of the call's `generation`-th owner: never the id an earlier owner used. */
export const resumedMediaChannelId = (callId: string, generation: number) =>
  `${tagsFor(callId).externalChannelId}-r${generation}`;

export interface PerCallResumeDeps {
  asterisk: AsteriskDeps;
  calls: AsteriskCalls;
  /** REST for this call: its own per-call connection while open, ARI HTTP after. */
  restFor(orphan: OrphanedCall): AriRest;
}

type Wait = 'free' | 'owner_gone' | 'ended' | 'closed' | 'timeout';

/**
 * Waits until the old owner let the call go (released, or its task stopped beating), its media channel left the
 * bridge (Asterisk hangs it up when the dead owner's media socket drops, usually within
 * milliseconds of the control connection), or the call ended, polling the owner record and the
 * bridge; a closed connection (the caller hung up meanwhile) stops the wait.
 */
async function untilOwnerLetGo(
  orphan: OrphanedCall,
  read: () => Promise<OwnerHold | undefined>,
  ownerMediaGone: () => Promise<boolean>,
): Promise<Wait> {
  let hold = await read();
  const holdMs = hold ? holdUntilMs(hold.owner, hold.liveness) : 0;
  const deadline = Date.now() + Math.max(0, holdMs - Date.now()) + 2 * OWNER_POLL_MS;
  for (;;) {
    if (!hold || hold.owner.state === 'ended') return 'ended';
    if (holdUntilMs(hold.owner, hold.liveness) < Date.now()) return 'free';
    if (orphan.connection.isClosed) return 'closed';
    if (Date.now() > deadline) return 'timeout';
    await new Promise((resolve) => setTimeout(resolve, OWNER_POLL_MS));
    if (await ownerMediaGone().catch(() => false)) return 'owner_gone';
    hold = await read();
  }
}

/**
 * The per-call resume hook: Asterisk reconnected the control connection of a caller sitting in
 * one of our bridges to this task (its owner's connection dropped). The call is taken over through
 * its ownership record (`admitResume` with the provider as authority): at once when the old
 * owner's media channel is gone from the bridge (Asterisk hung it up when the owner's socket
 * died), else once the owner let go or its lease lapsed. A new media channel joins the same bridge
 * and the session continues the conversation, opening with the resume line. `refused` when the
 * call is not ours to continue (ended, unknown, taken elsewhere): the caller is hung up then.
 */
export function createPerCallResume(deps: PerCallResumeDeps): ResumeHook {
  const { session, logger: baseLogger } = deps.asterisk;
  return async (orphan) => {
    const { connection, channel, bridge } = orphan;
    const lostAtMs = connection.registeredAtMs ?? Date.now();
    const callId = callIdOfBridge(bridge.id);
    const logger = baseLogger.child({ callId, channelId: channel.id });
    if (!callId) return 'refused';
    const read = () => getCallOwnerHold(session.db, callId);
    const first = (await read())?.owner;
    if (first?.provider !== 'asterisk') {
      logger.warn('asterisk call without an ownership record is not resumed');
      return 'refused';
    }
    let ownerGone = !bridge.channels.some((id) => id !== channel.id);
    if (!ownerGone) {
      const ownerMediaGone = async () => {
        const now = (await deps.restFor(orphan).listBridges()).find((b) => b.id === bridge.id);
        return !!now && !now.channels.some((id) => id !== channel.id);
      };
      const wait = await untilOwnerLetGo(orphan, read, ownerMediaGone);
      if (wait === 'timeout') {
        // Still beating a whole lease later with its media bridged: the owner is alive and running
        // the call (a duplicate re-connection). Taking it, or hanging it up, would break a live call.
        logger.warn('asterisk call still run by its owner; re-connection held, not taken over');
        return 'owner_active';
      }
      if (wait === 'owner_gone') ownerGone = true;
      else if (wait !== 'free') {
        logger.info('asterisk call not resumed', { wait });
        return 'refused';
      }
    }
    const admission = await admitResume(session, {
      kind: 'provider',
      provider: 'asterisk',
      tenantId: first.tenantId,
      callId,
      lostAtMs,
      ownerGone,
    });
    if (!admission.ok) return 'refused';
    const { call, agent, slot, resume } = admission;
    const rest = deps.restFor(orphan);
    // The old owner's media channel, if it is still bridged: it has no one behind it now.
    await Promise.all(
      bridge.channels
        .filter((id) => id !== channel.id)
        .map((id) => rest.hangup(id, 'normal').catch(() => undefined)),
    );
    try {
      await deps.calls.connect({
        call,
        agent,
        caller: { ...channel, caller: { name: '', number: '' } },
        slot,
        answer: false,
        rest,
        resume: { state: resume, externalChannelId: resumedMediaChannelId(call.id, resume.owner.generation) },
      });
      return 'resumed';
    } catch (error) {
      // Taken over but its media could not be set up: the call ends here, once, as a media error.
      slot.release();
      logger.error('asterisk call taken over but its media could not be set up', { err: error });
      const owner = { ...resume.owner, taskId: session.taskId };
      if (await releaseCallOwner(session.db, owner, 'ended', 'media_error').catch(() => false)) {
        await markCallEnded(session, call, {
          status: 'completed',
          endReason: 'media_error',
          answeredAt: new Date(owner.answeredAt),
          endedAt: new Date(),
          telemetry: resumeTelemetry(owner),
        }).catch((err: unknown) => logger.error('resumed call end not stored', { err }));
      }
      return 'refused';
    }
  };
}
