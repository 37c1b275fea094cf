import type { Call } from '../calls/call-types.ts';
import type { ProviderControl, ProviderControlDeps } from '../calls/provider-control.ts';
import { callAlreadyEnded } from '../calls/provider-control.ts';
import { watchForStream } from '../calls/stream-timeouts.ts';
import { linkProviderCallId } from '../data/calls.ts';
import { UnavailableError } from '../errors/app-error.ts';
import { TWILIO_AMD_PATH, TWILIO_STATUS_PATH, TWILIO_VOICE_PATH } from '../http/webhook-routes.ts';
import { TWILIO_AMD_TIMEOUT_SECONDS } from '../voicemail/answered-by.ts';
import { STREAM_TOKEN_TTL_SECONDS } from './answer-voice-call.ts';
import { createTwilioCall, TwilioApiError, type TwilioRestConfig, updateTwilioCall } from './rest-client.ts';

/** Twilio rings an outbound call for 60 s by default before it reports `no-answer`. */
const TWILIO_RING_SECONDS = 60;
/** Twilio's "Call is not in-progress": it ended before our status callback arrived. */
const TWILIO_CALL_NOT_ACTIVE = 21220;

/**
 * Where Twilio fetches TwiML and posts status changes for a call we place. The voice URL names
 * the call, so the webhook finds it even if Twilio calls back before the CallSid is linked;
 * Twilio signs the whole URL, query included, so the ids cannot be altered on the way.
 */
export function twilioWebhookUrls(
  publicApiUrl: string,
  call: Pick<Call, 'id' | 'tenantId'>,
): { voice: string; status: string; amd: string } {
  const base = publicApiUrl.replace(/\/+$/, '');
  const query = new URLSearchParams({ callId: call.id, tenantId: call.tenantId });
  return {
    voice: `${base}${TWILIO_VOICE_PATH}?${query}`,
    status: `${base}${TWILIO_STATUS_PATH}`,
    amd: `${base}${TWILIO_AMD_PATH}`,
  };
}

function restConfig(deps: ProviderControlDeps): TwilioRestConfig {
  if (!deps.twilio) throw new UnavailableError('Twilio is not configured on this platform.');
  return deps.twilio;
}

/** Twilio: calls are dialed and hung up through its REST API; its webhooks report the rest. */
export const twilioControl: ProviderControl = {
  async place(deps, { call, maxDurationSeconds, machineDetection }) {
    const twilio = restConfig(deps);
    const urls = twilioWebhookUrls(deps.publicApiUrl, call);
    const created = await createTwilioCall(twilio, {
      to: call.to,
      from: call.from,
      url: urls.voice,
      statusCallback: urls.status,
      timeLimitSeconds: maxDurationSeconds,
      // Asynchronous: the call connects at once and the verdict arrives on its own webhook; with
      // DetectMessageEnd a machine is reported when its greeting ends, the moment to speak.
      ...(machineDetection
        ? {
            machineDetection: 'DetectMessageEnd' as const,
            machineDetectionTimeoutSeconds: TWILIO_AMD_TIMEOUT_SECONDS,
            asyncAmdStatusCallback: urls.amd,
          }
        : {}),
    });
    try {
      await linkProviderCallId(deps.db, call, created.sid);
    } catch (error) {
      // Twilio is dialing a call we could not record: hang it up rather than let it run untracked.
      await updateTwilioCall(twilio, created.sid, { status: 'canceled' }).catch((err) =>
        deps.logger.error('could not cancel an unrecorded Twilio call', { callId: call.id, err }),
      );
      throw error;
    }
    // Ended by the sweeper if Twilio never comes back (no voice webhook, final callback lost); an
    // answered call's voice webhook moves the deadline to its stream token's.
    await watchForStream(
      deps.db,
      call,
      new Date(Date.now() + (TWILIO_RING_SECONDS + STREAM_TOKEN_TTL_SECONDS) * 1000),
    );
    return { ...call, providerCallId: created.sid };
  },

  async end(deps, call) {
    const twilio = restConfig(deps);
    // `canceled` is how Twilio stops a call that is not answered yet; `completed` hangs up a live one.
    const status = call.status === 'in_progress' ? 'completed' : 'canceled';
    try {
      await updateTwilioCall(twilio, call.providerCallId as string, { status });
    } catch (error) {
      if (error instanceof TwilioApiError && error.twilioCode === TWILIO_CALL_NOT_ACTIVE) {
        throw callAlreadyEnded('ended at the provider');
      }
      throw error;
    }
  },
};
