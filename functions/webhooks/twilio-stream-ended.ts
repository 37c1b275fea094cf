import { env } from '#shared/config/env.ts';
import { secrets } from '#shared/config/secrets.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { TWILIO_STREAM_ENDED_PATH } from '#shared/http/webhook-routes.ts';
import { answerStreamEnded } from '#shared/twilio/answer-stream-ended.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { twimlResult, verifiedTwilioParams } from './twilio-request.ts';

/**
 * POST /webhooks/twilio/stream-ended: Twilio's `<Connect action>`, requested whenever a call's
 * Media Stream ends with the call still up. Answers a new stream that resumes the call on a
 * healthy media task (its task died, or handed the call over while draining), or a hang-up when
 * the platform ended the call on purpose.
 */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const params = await verifiedTwilioParams(request, TWILIO_STREAM_ENDED_PATH, logger);
    const answer = await answerStreamEnded(
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
    logger.info('twilio stream-ended webhook answered', {
      outcome: answer.outcome,
      callId: answer.callId,
      tenantId: answer.tenantId,
      generation: answer.generation,
    });
    return twimlResult(answer.twiml);
  },
  { auth: 'signature' },
);
