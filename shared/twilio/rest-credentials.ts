import type { Env } from '../config/env.ts';
import type { SecretStore } from '../config/secrets.ts';
import type { TwilioRestConfig } from './rest-client.ts';

/**
 * Twilio REST credentials from a process's parsed configuration and secret store, or undefined
 * when no account or token is configured. Call it per use: the auth token comes through the
 * secret store, so a rotation is picked up. The Lambda handlers and the media service both use it.
 */
export async function twilioRestCredentials(
  config: Pick<Env, 'TWILIO_ACCOUNT_SID' | 'TWILIO_API_BASE_URL'>,
  secrets: Pick<SecretStore, 'get'>,
  options: { timeoutMs?: number } = {},
): Promise<TwilioRestConfig | undefined> {
  const authToken = await secrets.get('TWILIO_AUTH_TOKEN');
  if (!config.TWILIO_ACCOUNT_SID || !authToken) return undefined;
  return {
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken,
    baseUrl: config.TWILIO_API_BASE_URL,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
}
