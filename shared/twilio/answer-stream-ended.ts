import { isTerminal } from '../calls/call-status.ts';
import { signResumeToken } from '../calls/resume-token.ts';
import { countResumeOffer, getCallOwner } from '../data/call-owners.ts';
import type { Db } from '../data/client.ts';
import { getCall } from '../data/calls.ts';
import type { Logger } from '../logging/logger.ts';
import { VOICE_MESSAGES } from './answer-voice-call.ts';
import { streamEndedActionUrl } from './stream-ended-url.ts';
import { connectStreamTwiml, hangupTwiml, mediaStreamUrl, sayAndHangupTwiml } from './twiml.ts';

/**
 * A call whose stream keeps breaking (every task refuses it, or it dies again at once) is not
 * offered a new stream forever: after this many offers the caller hears the fallback line.
 */
export const MAX_RESUME_OFFERS = 8;

/** Twilio call statuses after which nothing can be resumed (the caller is gone). */
const GONE = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

export type StreamEndedOutcome =
  | 'resumed'
  | 'ended_on_purpose'
  | 'caller_gone'
  | 'call_ended'
  | 'call_not_found'
  | 'never_started'
  | 'too_many_resumes';

export interface StreamEndedAnswer {
  twiml: string;
  outcome: StreamEndedOutcome;
  callId?: string;
  tenantId?: string;
  generation?: number;
}

export interface AnswerStreamEndedDeps {
  db: Db;
  /** INTERNAL_SIGNING_KEY: the resume token's key is derived from it. */
  signingKey: string;
  publicMediaUrl: string;
  publicApiUrl: string;
  logger: Logger;
  /** Say the "cannot take your call" line before hanging up (Twilio REST is configured). */
  spokenFallback?: boolean;
  nowMs?: number;
}

/**
 * Answers Twilio's `<Connect action>` request (its signature already verified): the call's stream
 * ended. A call the platform ended on purpose, or whose caller is gone, is hung up; a call whose
 * media task died, dropped the stream or handed it over on draining gets a new `<Connect><Stream>`
 * with a resume token, and the load balancer gives it to a healthy task that takes the call over.
 */
export async function answerStreamEnded(
  deps: AnswerStreamEndedDeps,
  params: URLSearchParams,
  query: Readonly<Record<string, string>>,
): Promise<StreamEndedAnswer> {
  const nowMs = deps.nowMs ?? Date.now();
  const callId = query.callId ?? '';
  const tenantId = query.tenantId ?? '';
  // Both reads at once: this request is on the caller's silent gap (the owner read is wasted
  // only for a request about an unknown call, which is rare and harmless).
  const [call, owner] =
    callId && tenantId
      ? await Promise.all([getCall(deps.db, tenantId, callId), getCallOwner(deps.db, callId)])
      : [undefined, undefined];
  const callSid = params.get('CallSid') ?? '';
  if (call?.provider !== 'twilio' || (call.providerCallId && call.providerCallId !== callSid)) {
    deps.logger.warn('stream-ended request for an unknown call', { callId, callSid });
    return { outcome: 'call_not_found', twiml: hangupTwiml() };
  }
  const ids = { callId: call.id, tenantId: call.tenantId };
  if (GONE.has(params.get('CallStatus') ?? ''))
    return { ...ids, outcome: 'caller_gone', twiml: hangupTwiml() };
  if (isTerminal(call.status)) return { ...ids, outcome: 'call_ended', twiml: hangupTwiml() };
  const fallback = deps.spokenFallback ? sayAndHangupTwiml(VOICE_MESSAGES.mediaUnavailable) : hangupTwiml();
  // No session ever ran the call (the stream was refused: full, draining): what the caller heard
  // before resumes existed.
  if (!owner) return { ...ids, outcome: 'never_started', twiml: fallback };
  if (owner.state === 'ended') return { ...ids, outcome: 'ended_on_purpose', twiml: hangupTwiml() };
  const counted = await countResumeOffer(deps.db, call.id, nowMs);
  if (!counted) return { ...ids, outcome: 'ended_on_purpose', twiml: hangupTwiml() };
  if (counted.resumeOffers > MAX_RESUME_OFFERS) {
    deps.logger.error('call not resumed: too many resume attempts', { ...ids, offers: counted.resumeOffers });
    return { ...ids, outcome: 'too_many_resumes', twiml: fallback };
  }
  const { token } = await signResumeToken(
    {
      callId: call.id,
      tenantId: call.tenantId,
      provider: 'twilio',
      generation: counted.generation,
      lostAtMs: nowMs,
    },
    deps.signingKey,
    { nowMs },
  );
  return {
    ...ids,
    outcome: 'resumed',
    generation: counted.generation,
    twiml: connectStreamTwiml({
      url: mediaStreamUrl(deps.publicMediaUrl),
      name: call.id,
      parameters: { callId: call.id, resume: token },
      action: streamEndedActionUrl(deps.publicApiUrl, call),
    }),
  };
}
