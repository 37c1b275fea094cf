import { env } from '#shared/config/env.ts';
import { secrets } from '#shared/config/secrets.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createCallRefusalMetrics } from '#shared/metrics/call-refusals.ts';
import { TWILIO_VOICE_PATH } from '#shared/http/webhook-routes.ts';
import { answerVoiceCall } from '#shared/twilio/answer-voice-call.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { twimlResult, verifiedTwilioParams } from './twilio-request.ts';

let refusals: ReturnType<typeof createCallRefusalMetrics> | undefined;

/**
 * POST /webhooks/twilio/voice: Twilio asks what to do with a call (inbound to one of our numbers,
 * or an outbound call the API placed, once answered). Answers TwiML that connects a Media Stream
 * to the media service, or says why the call cannot be taken and hangs up.
 */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const params = await verifiedTwilioParams(request, TWILIO_VOICE_PATH, logger);
    const answer = await answerVoiceCall(
      {
        db: dbFromEnv(),
        signingKey: await secrets().require('INTERNAL_SIGNING_KEY'),
        publicMediaUrl: env().PUBLIC_MEDIA_URL,
        publicApiUrl: env().PUBLIC_API_URL,
        spokenFallback: Boolean(env().TWILIO_ACCOUNT_SID),
        logger,
      },
      params,
      request.query,
    );
    logger.info('twilio voice webhook answered', {
      outcome: answer.outcome,
      reason: answer.reason,
      callId: answer.callId,
      tenantId: answer.tenantId,
    });
    if (answer.outcome === 'refused' || answer.outcome === 'unknown_number') {
      refusals ??= createCallRefusalMetrics(env().STAGE);
      refusals.callRefused(answer.reason ?? answer.outcome);
    }
    return twimlResult(answer.twiml);
  },
  { auth: 'signature' },
);
