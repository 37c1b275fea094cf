import type { z } from 'zod';
import type { Agent } from '../agents/agent-schema.ts';
import { admitCall } from './admission.ts';
import { endUnconnectedCall } from './end-unconnected-call.ts';
import type { Call } from './call-types.ts';
import { linkProviderCallId } from '../data/calls.ts';
import { AppError, RateLimitedError, toAppError, UnavailableError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { sendMediaCommand } from '../queues/publisher.ts';
import { createTwilioCall, updateTwilioCall } from '../twilio/rest-client.ts';
import { STREAM_TOKEN_TTL_SECONDS } from '../twilio/answer-voice-call.ts';
import { watchForStream } from './stream-timeouts.ts';
import { TWILIO_AMD_PATH, TWILIO_STATUS_PATH, TWILIO_VOICE_PATH } from '../http/webhook-routes.ts';
import { TWILIO_AMD_TIMEOUT_SECONDS } from '../voicemail/answered-by.ts';

/** Twilio rings an outbound call for 60 s by default before it reports `no-answer`. */
const TWILIO_RING_SECONDS = 60;
import { requireAgent } from '../api/agent-changes.ts';
import type { CallDeps } from './call-deps.ts';
import type { CreateCallBodySchema } from '../api/call-schemas.ts';
import { resolveCallerNumber } from './caller-number.ts';

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

/**
 * Places an outbound call: the call is admitted through the one admission path (billing hold,
 * rate, concurrency slot), stored as `queued`, then handed to its provider: Twilio's REST API
 * dials it, or the media service is told to originate it on Asterisk. If the provider refuses,
 * the call ends as `failed` (releasing its slot) and the caller gets the provider's reason.
 */
export async function placeOutboundCall(
  deps: CallDeps,
  tenantId: string,
  input: z.output<typeof CreateCallBodySchema>,
  logger: Logger,
  options: { id?: string; variables?: Record<string, string> } = {},
): Promise<Call> {
  const agent = await requireAgent(deps.db, tenantId, input.agentId);
  const origin = await resolveCallerNumber(deps.db, tenantId, agent.id, input);
  const { call } = await admitCall(
    deps.db,
    {
      tenantId,
      agentId: agent.id,
      direction: 'outbound',
      provider: origin.provider,
      from: origin.number,
      to: input.to,
      metadata: input.metadata ?? {},
      variables: options.variables,
      status: 'queued',
      ...(input.recording === false ? { recording: { status: 'off' as const } } : {}),
      // Detection runs for agents that say what to do with a machine, unless this call opts out.
      machineDetection: agent.voicemail && input.machineDetection !== false ? {} : undefined,
    },
    { id: options.id },
  );
  try {
    if (call.provider === 'twilio') return await dialWithTwilio(deps, call, agent, logger);
    await sendMediaCommand(deps.sqs, deps.queueUrls, {
      type: 'call.originate',
      tenantId,
      callId: call.id,
      agentId: agent.id,
      to: call.to,
      from: call.from,
    });
    return call;
  } catch (error) {
    const failure = toAppError(error);
    await failUndialedCall(
      deps,
      call,
      failure.code === 'validation_error' ? 'provider_rejected' : 'provider_unavailable',
      logger,
    );
    const message = `The call could not be placed. ${failure.message}`;
    const options = {
      cause: error,
      retryable: failure.retryable,
      details: {
        callId: call.id,
        ...(failure.details && typeof failure.details === 'object' ? failure.details : {}),
      },
    };
    // A 429 must carry Retry-After, which only RateLimitedError provides (Twilio's own 429s).
    if (failure.code === 'rate_limited') throw new RateLimitedError(message, 1, options);
    throw new AppError(failure.code, message, options);
  }
}

async function dialWithTwilio(deps: CallDeps, call: Call, agent: Agent, logger: Logger): Promise<Call> {
  if (!deps.twilio) throw new UnavailableError('Twilio is not configured on this platform.');
  const urls = twilioWebhookUrls(deps.publicApiUrl, call);
  const created = await createTwilioCall(deps.twilio, {
    to: call.to,
    from: call.from,
    url: urls.voice,
    statusCallback: urls.status,
    timeLimitSeconds: agent.maxDurationSeconds,
    // Asynchronous: the call connects at once and the verdict arrives on its own webhook; with
    // DetectMessageEnd a machine is reported when its greeting ends, the moment to speak.
    ...(call.machineDetection
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
    await updateTwilioCall(deps.twilio, created.sid, { status: 'canceled' }).catch((err) =>
      logger.error('could not cancel an unrecorded Twilio call', { callId: call.id, err }),
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
}

/** Ends a call its provider never took: `failed` releases the slot; `call.ended` tells consumers. */
async function failUndialedCall(
  deps: CallDeps,
  call: Call,
  endReason: string,
  logger: Logger,
): Promise<void> {
  try {
    await endUnconnectedCall({ ...deps, logger }, call, 'failed', endReason);
  } catch (err) {
    logger.error('could not record an undialed call as failed', { callId: call.id, err });
  }
}
