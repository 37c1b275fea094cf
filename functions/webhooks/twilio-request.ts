import { env } from '#shared/config/env.ts';
import { secrets } from '#shared/config/secrets.ts';
import { ForbiddenError } from '#shared/errors/app-error.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { publicRequestUrl, verifyTwilioRequest } from '#shared/twilio/signature.ts';
import type { HttpRequest } from '../lib/http-types.ts';

/**
 * Verifies `X-Twilio-Signature` against the public URL Twilio called: PUBLIC_API_URL + the route's
 * path + the raw query string. The Host header and `rawPath` are not used: behind API Gateway
 * custom domains and proxies they differ from what Twilio signed. Returns the signed form fields;
 * anything unsigned is a 403.
 */
export async function verifiedTwilioParams(
  request: HttpRequest,
  routePath: string,
  logger: Logger,
): Promise<URLSearchParams> {
  const authToken = await secrets().require('TWILIO_AUTH_TOKEN');
  const url = publicRequestUrl(env().PUBLIC_API_URL, routePath, request.event.rawQueryString);
  const result = verifyTwilioRequest({
    authToken,
    url,
    signature: request.headers['x-twilio-signature'],
    rawBody: request.rawBody,
  });
  if (!result.valid) {
    logger.warn('twilio signature rejected', { reason: result.reason, path: routePath });
    throw new ForbiddenError('The Twilio signature is not valid.', { details: { reason: result.reason } });
  }
  return result.params;
}

/** TwiML is XML, answered as-is rather than as JSON. */
export function twimlResult(twiml: string) {
  return { status: 200, body: twiml, raw: true, headers: { 'content-type': 'text/xml; charset=utf-8' } };
}
