import { admitCall } from '#shared/calls/admission.ts';
import { getAgent } from '#shared/data/agents.ts';
import { findPhoneNumber } from '#shared/data/phone-numbers.ts';
import { AppError } from '#shared/errors/app-error.ts';
import { newId } from '#shared/ids/ids.ts';
import type { AriChannel } from './ari-events.ts';
import type { AriRest } from './ari-rest.ts';
import { type AsteriskCalls, type AsteriskDeps, CallEndedDuringSetupError } from './asterisk-calls.ts';
import { endCallWithoutSession } from './call-records.ts';
import { toE164 } from './dialed-number.ts';
import { type RtpPortLease, RtpPortsExhaustedError } from './rtp-port-pool.ts';

type HangupCause = Parameters<AriRest['hangup']>[1];

/** Why an inbound call was refused, and the cause the caller's network hears. */
export type InboundRefusal =
  | { reason: 'unknown_number'; cause: 'unallocated' }
  | { reason: 'capacity' | 'draining' | 'rtp_ports_exhausted'; cause: 'congestion' }
  | { reason: 'concurrent_calls' | 'rate_limited'; cause: 'busy' }
  | { reason: 'billing_hold' | 'tenant_unavailable'; cause: 'rejected' };

export type InboundOutcome = { ok: true; callId: string } | ({ ok: false } & InboundRefusal);

/** Maps an admission error to a refusal: the caller hears busy for limits, rejected otherwise. */
function refusalFor(error: unknown): InboundRefusal | undefined {
  if (!(error instanceof AppError)) return undefined;
  const reason = (error.details as { reason?: string } | undefined)?.reason;
  if (error.code === 'rate_limited') {
    return { reason: reason === 'concurrent_calls' ? 'concurrent_calls' : 'rate_limited', cause: 'busy' };
  }
  if (error.code === 'forbidden') return { reason: 'billing_hold', cause: 'rejected' };
  if (error.code === 'not_found') return { reason: 'tenant_unavailable', cause: 'rejected' };
  return undefined;
}

/**
 * A caller entered `Stasis(app,inbound,${EXTEN})`. The dialed number (without `+` from most
 * trunks) is normalised to E.164 and looked up; the call goes through the one admission path
 * (tenant standing, rate, concurrency) and this task's capacity and RTP ports. A refused call is
 * never answered: it is hung up with a cause and hears nothing. An admitted one is answered,
 * bridged to ExternalMedia and handed to the CallSession.
 */
export async function handleInboundCall(
  deps: AsteriskDeps,
  calls: AsteriskCalls,
  channel: AriChannel,
  args: string[],
): Promise<InboundOutcome> {
  const { session, rest, logger } = deps;
  const refuse = async (refusal: InboundRefusal): Promise<InboundOutcome> => {
    logger.info('asterisk inbound call refused', { channelId: channel.id, reason: refusal.reason });
    session.onCallRefused?.(refusal.reason);
    await rest.hangup(channel.id, refusal.cause as HangupCause).catch((err) => {
      logger.warn('asterisk refused call hangup failed', { channelId: channel.id, err });
    });
    return { ok: false, ...refusal };
  };

  const dialed = args[1] ?? channel.dialplan?.exten ?? '';
  const to = toE164(dialed);
  const number = to ? await findPhoneNumber(session.db, to) : undefined;
  if (!to || !number || number.provider !== 'asterisk')
    return refuse({ reason: 'unknown_number', cause: 'unallocated' });
  const from = toE164(channel.caller.number) ?? (channel.caller.number || 'anonymous');

  const callId = newId('call');
  const reservation = session.registry.reserve(callId);
  if (!reservation.ok) {
    return refuse({
      reason: reservation.reason === 'draining' ? 'draining' : 'capacity',
      cause: 'congestion',
    });
  }
  const { slot } = reservation;
  let lease: RtpPortLease | undefined;
  try {
    lease = await deps.ports?.acquire();
  } catch (error) {
    slot.release();
    if (error instanceof RtpPortsExhaustedError)
      return refuse({ reason: 'rtp_ports_exhausted', cause: 'congestion' });
    throw error;
  }

  let admitted: Awaited<ReturnType<typeof admitCall>>['call'];
  let created: boolean;
  let agent: Awaited<ReturnType<typeof getAgent>>;
  try {
    ({ call: admitted, created } = await admitCall(
      session.db,
      {
        tenantId: number.tenantId,
        agentId: number.agentId,
        direction: 'inbound',
        provider: 'asterisk',
        providerCallId: channel.id,
        from,
        to,
        status: 'queued',
      },
      { id: callId },
    ));
    agent = await getAgent(session.db, number.tenantId, number.agentId);
  } catch (error) {
    lease?.release();
    slot.release();
    const refusal = refusalFor(error);
    if (refusal) return refuse(refusal);
    throw error;
  }
  if (!created) {
    // The same channel again (a StasisStart replayed after a reconnect): its call already exists.
    lease?.release();
    slot.release();
    logger.warn('asterisk inbound channel already has a call', {
      channelId: channel.id,
      callId: admitted.id,
    });
    return { ok: true, callId: admitted.id };
  }
  if (!agent) {
    lease?.release();
    slot.release();
    await endCallWithoutSession(session, admitted, 'failed', 'rejected');
    return refuse({ reason: 'tenant_unavailable', cause: 'rejected' });
  }

  try {
    await calls.connect({ call: admitted, agent, caller: channel, lease, slot, answer: true, rest });
  } catch (error) {
    slot.release();
    const hungUp = error instanceof CallEndedDuringSetupError;
    if (!hungUp) logger.error('asterisk inbound media set-up failed', { callId, err: error });
    await endCallWithoutSession(
      session,
      admitted,
      hungUp ? 'canceled' : 'failed',
      hungUp ? 'caller_hangup' : 'media_error',
    );
    return { ok: true, callId };
  }
  logger.info('asterisk inbound call connected', { callId, channelId: channel.id });
  return { ok: true, callId };
}
