import type { Agent } from '#shared/agents/agent-schema.ts';
import { isTerminal } from '#shared/calls/call-status.ts';
import type { Call } from '#shared/calls/call-types.ts';
import { consumeStreamToken, type StreamTokenClaims, verifyStreamToken } from '#shared/calls/stream-token.ts';
import { getAgent } from '#shared/data/agents.ts';
import { getCall } from '#shared/data/calls.ts';
import { AppError } from '#shared/errors/app-error.ts';
import type { SessionDeps } from './session-deps.ts';
import type { SessionSlot } from './session-registry.ts';

/** Why a media connection was refused; transports map these to close codes/reasons. */
export type StreamRefusal =
  | 'token_invalid'
  | 'token_expired'
  | 'token_replayed'
  | 'call_unavailable'
  | 'capacity'
  | 'draining'
  | 'unavailable';

export type StreamAdmission =
  | { ok: true; call: Call; agent: Agent; slot: SessionSlot; claims: StreamTokenClaims }
  | { ok: false; reason: StreamRefusal; callId?: string };

/**
 * Admits one media connection that presents a stream token (Twilio `start.customParameters.token`,
 * browser `?token=`). Order matters: the MAC and expiry are checked first (no I/O), then a place
 * is reserved (so a full or draining container refuses without burning the token), then the
 * token is consumed (single use across every task), then the call and agent are loaded. No model
 * socket is touched here: a refused connection never opens or consumes a model session.
 */
export async function admitStreamConnection(
  deps: Pick<SessionDeps, 'db' | 'secrets' | 'registry' | 'logger' | 'onCallRefused'>,
  input: { token: unknown; provider: StreamTokenClaims['provider']; callId?: unknown },
  nowMs: number = Date.now(),
): Promise<StreamAdmission> {
  const admission = await admit(deps, input, nowMs);
  if (!admission.ok) deps.onCallRefused?.(admission.reason);
  return admission;
}

async function admit(
  deps: Pick<SessionDeps, 'db' | 'secrets' | 'registry' | 'logger'>,
  input: { token: unknown; provider: StreamTokenClaims['provider']; callId?: unknown },
  nowMs: number,
): Promise<StreamAdmission> {
  const key = await deps.secrets.get('INTERNAL_SIGNING_KEY');
  if (!key) {
    deps.logger.error('INTERNAL_SIGNING_KEY is not set: media connections are refused');
    return { ok: false, reason: 'unavailable' };
  }
  let claims: StreamTokenClaims;
  try {
    claims = verifyStreamToken(typeof input.token === 'string' ? input.token : '', key, nowMs);
  } catch (error) {
    const expired = error instanceof AppError && (error.details as { reason?: string })?.reason === 'expired';
    return { ok: false, reason: expired ? 'token_expired' : 'token_invalid' };
  }
  // The token names the call; a separately passed callId (Twilio <Parameter>) must agree.
  if (claims.provider !== input.provider || (input.callId !== undefined && input.callId !== claims.callId)) {
    return { ok: false, reason: 'token_invalid', callId: claims.callId };
  }
  const reservation = deps.registry.reserve(claims.callId);
  if (!reservation.ok) {
    return {
      ok: false,
      reason: reservation.reason === 'duplicate' ? 'token_replayed' : reservation.reason,
      callId: claims.callId,
    };
  }
  const { slot } = reservation;
  try {
    await consumeStreamToken(deps.db, claims);
  } catch (error) {
    slot.release();
    if (error instanceof AppError && error.code === 'conflict') {
      return { ok: false, reason: 'token_replayed', callId: claims.callId };
    }
    deps.logger.error('stream token could not be consumed', { callId: claims.callId, err: error });
    return { ok: false, reason: 'unavailable', callId: claims.callId };
  }
  try {
    const [call, agent] = await Promise.all([
      getCall(deps.db, claims.tenantId, claims.callId),
      getAgent(deps.db, claims.tenantId, claims.agentId),
    ]);
    if (!call || !agent || isTerminal(call.status) || call.agentId !== agent.id) {
      slot.release();
      return { ok: false, reason: 'call_unavailable', callId: claims.callId };
    }
    return { ok: true, call, agent, slot, claims };
  } catch (error) {
    slot.release();
    deps.logger.error('call could not be loaded', { callId: claims.callId, err: error });
    return { ok: false, reason: 'unavailable', callId: claims.callId };
  }
}
