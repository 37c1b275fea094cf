import type { CallDeps } from '#shared/calls/call-deps.ts';
import { env } from '#shared/config/env.ts';
import { secrets } from '#shared/config/secrets.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import type { TwilioRestConfig } from '#shared/twilio/rest-client.ts';
import { twilioRestCredentials } from '#shared/twilio/rest-credentials.ts';

/**
 * Twilio REST credentials for this platform, or undefined when no account is configured. Asked
 * per use: the auth token comes through the secret store, so a rotation is picked up.
 */
export async function twilioRestFromEnv(
  options: { timeoutMs?: number } = {},
): Promise<TwilioRestConfig | undefined> {
  return twilioRestCredentials(env(), secrets(), options);
}

/**
 * What the call use cases (`shared/calls/`: place, end, the provider controls) need, built by the
 * Lambda handlers from the parsed configuration and the secret store: the one place a handler
 * gets them from.
 */
export async function callDepsFromEnv(): Promise<CallDeps> {
  return {
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    twilio: await twilioRestFromEnv(),
    publicApiUrl: env().PUBLIC_API_URL,
  };
}
