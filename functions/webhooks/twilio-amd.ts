import { dbFromEnv } from '#shared/data/client.ts';
import { TWILIO_AMD_PATH } from '#shared/http/webhook-routes.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { applyAmdCallback } from '#shared/twilio/amd-callback.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { verifiedTwilioParams } from './twilio-request.ts';

/**
 * POST /webhooks/twilio/amd: Twilio's asynchronous answering-machine detection verdict for an
 * outbound call. Signed like every Twilio webhook (a forged one is a 403 and changes nothing);
 * repeats and verdicts for ended calls are acknowledged (204) and ignored.
 */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const params = await verifiedTwilioParams(request, TWILIO_AMD_PATH, logger);
    const result = await applyAmdCallback(
      { db: dbFromEnv(), sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv(), logger },
      params,
    );
    logger.info('twilio amd callback handled', result);
    return { status: 204 };
  },
  { auth: 'signature' },
);
