import { dbFromEnv } from '#shared/data/client.ts';
import { TWILIO_STATUS_PATH } from '#shared/http/webhook-routes.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { applyTwilioStatusCallback } from '#shared/twilio/apply-status-callback.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { verifiedTwilioParams } from './twilio-request.ts';

/**
 * POST /webhooks/twilio/status: call-progress callbacks. Duplicates and out-of-order callbacks are
 * acknowledged (204) and ignored, so Twilio never sees an error for its own retries.
 */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const params = await verifiedTwilioParams(request, TWILIO_STATUS_PATH, logger);
    const result = await applyTwilioStatusCallback(
      { db: dbFromEnv(), sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv(), logger },
      params,
    );
    logger.info('twilio status callback handled', {
      outcome: result.outcome,
      callId: result.callId,
      ended: result.endedEventPublished,
    });
    return { status: 204 };
  },
  { auth: 'signature' },
);
