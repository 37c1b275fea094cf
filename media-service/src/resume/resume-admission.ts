import type { Agent } from '#shared/agents/agent-schema.ts';
import { isTerminal } from '#shared/calls/call-status.ts';
import type { Call, CallProvider, TranscriptTurn } from '#shared/calls/call-types.ts';
import { type ResumeClaims, verifyResumeToken } from '#shared/calls/resume-token.ts';
import { getAgent } from '#shared/data/agents.ts';
import {
  type CallOwner,
  getCallOwnerHold,
  releaseCallOwner,
  type TakeoverRefusal,
  takeOverCall,
} from '#shared/data/call-owners.ts';
import { getCall } from '#shared/data/calls.ts';
import { ownerLastSeenMs } from '#shared/data/owner-lease.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { AppError } from '#shared/errors/app-error.ts';
import type { SessionDeps } from '../session/session-deps.ts';
import type { SessionSlot } from '../session/session-registry.ts';
import type { StreamRefusal } from '../session/stream-admission.ts';

/**
 * What authorises taking a live call over on this task. `token`: a signed resume token (Twilio's
 * action webhook, the browser page), verified here. `provider`: the transport itself verified that
 * the provider reconnected this call to us (an authenticated Asterisk per-call connection naming
 * the channel); the takeover then also requires that the current owner let go or its task stopped beating.
 */
export type ResumeAuthority =
  | { kind: 'token'; token: unknown; provider: CallProvider; callId?: unknown }
  | {
      kind: 'provider';
      provider: CallProvider;
      tenantId: string;
      callId: string;
      lostAtMs?: number;
      /**
       * The provider shows the owner has lost both the call's control and its media (Asterisk
       * hung up the owner's media channel when its socket died): no need to wait for its lease.
       */
      ownerGone?: boolean;
    };

/** Everything a session needs to continue a call another task was running. */
export interface ResumeState {
  owner: CallOwner;
  /** The stored conversation so far, in order; replayed into the new model session. */
  turns: TranscriptTurn[];
  /** Time without media before this resume (ms). */
  gapMs: number;
  /** Tools that were running when the media connection was lost: reported to the model as interrupted. */
  interruptedTools: { callId: string; name: string }[];
}

export type ResumeAdmission =
  | { ok: true; call: Call; agent: Agent; slot: SessionSlot; resume: ResumeState }
  | { ok: false; reason: StreamRefusal; callId?: string };

/** How long a resume waits for the call's old session on this task to finish closing. */
const CLOSING_WAIT_MS = 3_000;

const TAKEOVER_REFUSAL: Record<TakeoverRefusal, StreamRefusal> = {
  replayed: 'token_replayed',
  ended: 'call_unavailable',
  missing: 'call_unavailable',
  owned: 'call_unavailable',
};

type ResumeDeps = Pick<SessionDeps, 'db' | 'secrets' | 'registry' | 'logger' | 'taskId'>;

async function verifiedClaims(
  deps: ResumeDeps,
  authority: ResumeAuthority,
  nowMs: number,
): Promise<
  | { ok: true; claims: Omit<ResumeClaims, 'exp' | 'jti'> }
  | { ok: false; reason: StreamRefusal; callId?: string }
> {
  if (authority.kind === 'provider') {
    return {
      ok: true,
      claims: {
        callId: authority.callId,
        tenantId: authority.tenantId,
        provider: authority.provider,
        generation: 0,
        lostAtMs: authority.lostAtMs,
      },
    };
  }
  const key = await deps.secrets.get('INTERNAL_SIGNING_KEY');
  if (!key) {
    deps.logger.error('INTERNAL_SIGNING_KEY is not set: resumes are refused');
    return { ok: false, reason: 'unavailable' };
  }
  try {
    const claims = await verifyResumeToken(authority.token, key, nowMs);
    if (
      claims.provider !== authority.provider ||
      (authority.callId !== undefined && authority.callId !== claims.callId)
    ) {
      return { ok: false, reason: 'token_invalid', callId: claims.callId };
    }
    return { ok: true, claims };
  } catch (error) {
    const expired = error instanceof AppError && (error.details as { reason?: string })?.reason === 'expired';
    return { ok: false, reason: expired ? 'token_expired' : 'token_invalid' };
  }
}

/**
 * The one way any transport continues a live call on this task: verifies the authority, reserves
 * a place (a full or draining task refuses before touching the call), takes the call over with a
 * conditional write (single use; the task that lost it can no longer store anything for it),
 * then loads the call, agent and conversation. Refusals are logged with their reason. Start the
 * session with `startCallSession({ …, resume })`.
 */
export async function admitResume(
  deps: ResumeDeps,
  authority: ResumeAuthority,
  nowMs: number = Date.now(),
): Promise<ResumeAdmission> {
  const refuse = (reason: StreamRefusal, callId?: string): ResumeAdmission => {
    deps.logger.warn('resume refused', {
      reason,
      callId,
      provider: authority.provider,
      authority: authority.kind,
    });
    return { ok: false, reason, callId };
  };
  const verified = await verifiedClaims(deps, authority, nowMs);
  if (!verified.ok) return refuse(verified.reason, verified.callId);
  const { claims } = verified;
  let reservation = deps.registry.reserve(claims.callId);
  const closing =
    !reservation.ok && reservation.reason === 'duplicate' ? deps.registry.get(claims.callId) : undefined;
  if (closing) {
    // The call's old session is on this very task and still letting go (a browser that
    // reconnects faster than the dropped socket's session closes): wait for it, briefly.
    await Promise.race([closing.closed, new Promise((resolve) => setTimeout(resolve, CLOSING_WAIT_MS))]);
    reservation = deps.registry.reserve(claims.callId);
  }
  if (!reservation.ok) {
    return refuse(reservation.reason === 'duplicate' ? 'token_replayed' : reservation.reason, claims.callId);
  }
  const { slot } = reservation;
  try {
    // Without a minter that saw the drop (a browser's token is minted ahead of time), the gap
    // runs from when the owner last showed life: its release, or its task's last beat if it died.
    const hold = claims.lostAtMs === undefined ? await getCallOwnerHold(deps.db, claims.callId) : undefined;
    const lostAtMs = claims.lostAtMs ?? (hold && ownerLastSeenMs(hold.owner, hold.liveness));
    const gapMs = lostAtMs ? Math.max(0, nowMs - lostAtMs) : 0;
    // One round trip for both: the takeover's own condition refuses a call ended on purpose.
    const [call, taken] = await Promise.all([
      getCall(deps.db, claims.tenantId, claims.callId),
      takeOverCall(deps.db, {
        callId: claims.callId,
        taskId: deps.taskId,
        generation: authority.kind === 'token' ? claims.generation : undefined,
        requireLapsed: authority.kind === 'provider' && !authority.ownerGone,
        gapMs,
        nowMs,
      }),
    ]);
    if (!call || isTerminal(call.status) || call.provider !== claims.provider) {
      slot.release();
      return refuse('call_unavailable', claims.callId);
    }
    if (!taken.ok) {
      slot.release();
      return refuse(TAKEOVER_REFUSAL[taken.reason], call.id);
    }
    const { owner } = taken;
    try {
      const [agent, turns] = await Promise.all([
        getAgent(deps.db, call.tenantId, call.agentId),
        listTranscriptTurns(deps.db, call.id),
      ]);
      if (!agent) throw new Error('agent not found');
      const interruptedTools = Object.entries(owner.toolsInFlight ?? {}).map(([callId, name]) => ({
        callId,
        name,
      }));
      deps.logger.info('call taken over', {
        callId: call.id,
        generation: owner.generation,
        gapMs,
        turns: turns.length,
      });
      return { ok: true, call, agent, slot, resume: { owner, turns, gapMs, interruptedTools } };
    } catch (error) {
      // Taken but not runnable here: let the next attempt have it.
      await releaseCallOwner(deps.db, { ...owner, taskId: deps.taskId }, 'detached', 'resume_failed').catch(
        () => undefined,
      );
      throw error;
    }
  } catch (error) {
    slot.release();
    deps.logger.error('call could not be resumed', { callId: claims.callId, err: error });
    return { ok: false, reason: 'unavailable', callId: claims.callId };
  }
}
