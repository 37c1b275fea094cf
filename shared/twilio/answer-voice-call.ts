import { getAgent } from '../data/agents.ts';
import { admitCall } from '../calls/admission.ts';
import { isTerminal } from '../calls/call-status.ts';
import type { Call } from '../calls/call-types.ts';
import { newStreamTokenId, signStreamToken } from '../calls/stream-token.ts';
import { watchForStream } from '../calls/stream-timeouts.ts';
import type { Db } from '../data/client.ts';
import { findCallByProviderId, getCall, linkProviderCallId } from '../data/calls.ts';
import { findPhoneNumber } from '../data/phone-numbers.ts';
import { AppError, ValidationError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { connectStreamTwiml, hangupTwiml, mediaStreamUrl, sayAndHangupTwiml } from './twiml.ts';
import { streamEndedActionUrl } from './stream-ended-url.ts';

/** What callers hear when no agent can take the call. Short: the caller pays for the seconds. */
export const VOICE_MESSAGES = {
  unknownNumber: 'Sorry, this number is not in service. Goodbye.',
  busy: 'Sorry, all of our lines are busy right now. Please try again later. Goodbye.',
  notConnected: 'Sorry, this call could not be connected. Goodbye.',
  /** After the stream, heard only when the media service closed it with the call still up. */
  mediaUnavailable: 'Sorry, we cannot take your call right now. Please try again later. Goodbye.',
} as const;

/** Long enough for Twilio to open the WebSocket after fetching TwiML, short enough to be useless if leaked. */
export const STREAM_TOKEN_TTL_SECONDS = 60;

export type VoiceOutcome = 'connected' | 'unknown_number' | 'refused' | 'call_not_found' | 'call_ended';

export interface VoiceAnswer {
  twiml: string;
  outcome: VoiceOutcome;
  callId?: string;
  tenantId?: string;
  /** Why a call was refused (`concurrent_calls`, `rate_limited`, `past_due`, …). */
  reason?: string;
}

export interface AnswerVoiceCallDeps {
  db: Db;
  /** INTERNAL_SIGNING_KEY: signs the stream token the media service verifies. */
  signingKey: string;
  /** PUBLIC_MEDIA_URL; becomes the `wss://…/twilio/stream` URL. */
  publicMediaUrl: string;
  logger: Logger;
  /**
   * Follow the stream with the spoken `mediaUnavailable` line. Only when the media service can
   * hang calls up over Twilio REST (TWILIO_ACCOUNT_SID set): without REST, closing the stream is
   * how it ends a call, and the line would follow every goodbye.
   */
  spokenFallback?: boolean;
  /**
   * PUBLIC_API_URL: when set, the stream's `<Connect action>` points at the stream-ended webhook,
   * which resumes the call on another media task if its stream broke off.
   */
  publicApiUrl?: string;
  nowMs?: number;
}

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

async function connect(deps: AnswerVoiceCallDeps, call: Call): Promise<VoiceAnswer> {
  const nowMs = deps.nowMs ?? Date.now();
  const exp = Math.floor(nowMs / 1000) + STREAM_TOKEN_TTL_SECONDS;
  const token = signStreamToken(
    {
      callId: call.id,
      tenantId: call.tenantId,
      agentId: call.agentId,
      provider: 'twilio',
      exp,
      jti: newStreamTokenId(),
    },
    deps.signingKey,
  );
  // Before Twilio gets the token: a stream that never connects is ended by the sweeper.
  await watchForStream(deps.db, call, new Date(exp * 1000));
  return {
    outcome: 'connected',
    callId: call.id,
    tenantId: call.tenantId,
    twiml: connectStreamTwiml({
      url: mediaStreamUrl(deps.publicMediaUrl),
      name: call.id,
      parameters: { callId: call.id, token },
      fallbackMessage: deps.spokenFallback ? VOICE_MESSAGES.mediaUnavailable : undefined,
      action: deps.publicApiUrl ? streamEndedActionUrl(deps.publicApiUrl, call) : undefined,
    }),
  };
}

/** An existing call answers again the same way (Twilio retries the webhook), unless it has ended. */
async function answerExisting(deps: AnswerVoiceCallDeps, call: Call): Promise<VoiceAnswer> {
  if (isTerminal(call.status)) {
    return { outcome: 'call_ended', callId: call.id, tenantId: call.tenantId, twiml: hangupTwiml() };
  }
  return connect(deps, call);
}

/** Refusals a caller should hear as "busy": they are the tenant's limits, not our faults. */
function refusalReason(error: unknown): string | undefined {
  if (!(error instanceof AppError)) return undefined;
  const details = error.details as { reason?: unknown } | undefined;
  if (error.code === 'rate_limited')
    return typeof details?.reason === 'string' ? details.reason : 'rate_limited';
  if (error.code === 'forbidden') return typeof details?.reason === 'string' ? details.reason : 'forbidden';
  if (error.code === 'not_found') return 'tenant_not_found';
  return undefined;
}

async function answerInbound(
  deps: AnswerVoiceCallDeps,
  fields: { callSid: string; from: string; to: string },
): Promise<VoiceAnswer> {
  // A retried webhook finds the call it created the first time; admission (and its rate limit)
  // runs once per CallSid.
  const existing = await findCallByProviderId(deps.db, 'twilio', fields.callSid);
  if (existing) return answerExisting(deps, existing);

  const number = await findPhoneNumber(deps.db, fields.to);
  const agent =
    number?.provider === 'twilio' ? await getAgent(deps.db, number.tenantId, number.agentId) : undefined;
  if (!number || !agent) {
    deps.logger.warn('twilio call to an unassigned number', { to: fields.to, known: Boolean(number) });
    return { outcome: 'unknown_number', twiml: sayAndHangupTwiml(VOICE_MESSAGES.unknownNumber) };
  }
  try {
    const { call } = await admitCall(deps.db, {
      tenantId: number.tenantId,
      agentId: agent.id,
      direction: 'inbound',
      provider: 'twilio',
      providerCallId: fields.callSid,
      from: fields.from,
      to: fields.to,
      status: 'ringing',
    });
    return answerExisting(deps, call);
  } catch (error) {
    const reason = refusalReason(error);
    if (!reason) throw error;
    return {
      outcome: 'refused',
      reason,
      tenantId: number.tenantId,
      twiml: sayAndHangupTwiml(VOICE_MESSAGES.busy),
    };
  }
}

/**
 * An outbound call was created by the API, which placed it through Twilio and linked the CallSid.
 * The `Url` may also carry `callId` and `tenantId` (signed with the URL), which covers Twilio
 * calling back before the link was written.
 */
async function answerOutbound(
  deps: AnswerVoiceCallDeps,
  callSid: string,
  query: Readonly<Record<string, string>>,
): Promise<VoiceAnswer> {
  const linked = await findCallByProviderId(deps.db, 'twilio', callSid);
  if (linked) return answerExisting(deps, linked);
  if (query.callId && query.tenantId) {
    const call = await getCall(deps.db, query.tenantId, query.callId);
    const linkable =
      call?.provider === 'twilio' &&
      call.direction === 'outbound' &&
      (!call.providerCallId || call.providerCallId === callSid);
    if (call && linkable) {
      if (!call.providerCallId) await linkProviderCallId(deps.db, call, callSid);
      return answerExisting(deps, { ...call, providerCallId: callSid });
    }
  }
  deps.logger.warn('twilio outbound call has no call record', { callSid });
  return { outcome: 'call_not_found', twiml: sayAndHangupTwiml(VOICE_MESSAGES.notConnected) };
}

/**
 * Answers Twilio's voice webhook (the request's signature must already be verified): an inbound
 * call to a registered number is admitted through the shared admission path; an outbound call
 * created by the API is found by its CallSid. Either way the answer connects a Media Stream to
 * the media service with a short-lived single-use token.
 */
export async function answerVoiceCall(
  deps: AnswerVoiceCallDeps,
  params: URLSearchParams,
  query: Readonly<Record<string, string>> = {},
): Promise<VoiceAnswer> {
  const callSid = params.get('CallSid') ?? '';
  if (!CALL_SID.test(callSid)) {
    throw new ValidationError('CallSid is missing or malformed.', {
      details: [{ path: 'CallSid', message: 'invalid' }],
    });
  }
  const direction = params.get('Direction') ?? 'inbound';
  if (direction !== 'inbound') return answerOutbound(deps, callSid, query);
  const to = params.get('To') ?? '';
  const from = params.get('From') ?? '';
  if (!to) throw new ValidationError('To is missing.', { details: [{ path: 'To', message: 'required' }] });
  // Withheld caller ids arrive as e.g. `anonymous`; the call is still taken.
  return answerInbound(deps, { callSid, from: from || 'anonymous', to });
}
