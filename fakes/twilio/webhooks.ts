import { randomBytes } from 'node:crypto';
import { twilioSignature } from '#shared/twilio/signature.ts';

/**
 * Sends webhooks the way Twilio does: a form-encoded POST with `X-Twilio-Signature` computed over
 * the public URL (which may differ from the address actually posted to, as behind API Gateway).
 */
export interface TwilioWebhookTarget {
  /** Where the request is actually sent (the local gateway). */
  apiUrl: string;
  /** The URL Twilio was configured with (PUBLIC_API_URL); the signature covers this. */
  publicUrl: string;
  authToken: string;
}

export interface SendOptions {
  query?: string;
  /** Overrides the signature header; `null` sends none. */
  signature?: string | null;
  /** Sign this URL instead of the public one (e.g. the Host-based URL). */
  signUrl?: string;
  /** Sign these params instead of the ones sent (tampering). */
  signParams?: Record<string, string>;
}

export async function sendTwilioWebhook(
  target: TwilioWebhookTarget,
  path: string,
  params: Record<string, string>,
  options: SendOptions = {},
): Promise<Response> {
  const suffix = options.query ? `?${options.query}` : '';
  const signedUrl = options.signUrl ?? `${target.publicUrl}${path}${suffix}`;
  const signature =
    options.signature === undefined
      ? twilioSignature(target.authToken, signedUrl, options.signParams ?? params)
      : options.signature;
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'TwilioProxy/1.1',
  };
  if (signature !== null) headers['x-twilio-signature'] = signature;
  return fetch(`${target.apiUrl}${path}${suffix}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(params),
  });
}

export const newCallSid = () => `CA${randomBytes(16).toString('hex')}`;

/** The fields Twilio sends with every voice request. */
export function voiceParams(fields: {
  callSid: string;
  from: string;
  to: string;
  direction?: 'inbound' | 'outbound-api';
  accountSid?: string;
  callStatus?: string;
}): Record<string, string> {
  return {
    AccountSid: fields.accountSid ?? `AC${'0'.repeat(32)}`,
    ApiVersion: '2010-04-01',
    CallSid: fields.callSid,
    CallStatus: fields.callStatus ?? 'ringing',
    Called: fields.to,
    Caller: fields.from,
    Direction: fields.direction ?? 'inbound',
    From: fields.from,
    FromCountry: 'US',
    To: fields.to,
    ToCountry: 'US',
  };
}

/** Reads what the TwiML `<Connect><Stream>` says: the stream URL, its parameters and the `<Connect action>`. */
export function parseStreamTwiml(twiml: string): {
  url?: string;
  action?: string;
  parameters: Record<string, string>;
} {
  const decodeXml = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  const url = /<Stream url="([^"]*)"/.exec(twiml)?.[1];
  const action = /<Connect action="([^"]*)"/.exec(twiml)?.[1];
  const parameters: Record<string, string> = {};
  for (const match of twiml.matchAll(/<Parameter name="([^"]*)" value="([^"]*)"\/>/g)) {
    parameters[decodeXml(match[1] as string)] = decodeXml(match[2] as string);
  }
  return { url: url && decodeXml(url), action: action && decodeXml(action), parameters };
}

/**
 * Twilio's `<Connect action>` request after a stream ended with the call still up: posts the
 * standard call fields, signed over the action URL (query included), and returns the TwiML.
 */
export async function followConnectAction(
  target: TwilioWebhookTarget,
  action: string,
  fields: {
    callSid: string;
    from: string;
    to: string;
    callStatus?: string;
    direction?: 'inbound' | 'outbound-api';
  },
): Promise<{ status: number; twiml: string }> {
  const url = new URL(action);
  const publicPath = url.pathname;
  const response = await sendTwilioWebhook(
    target,
    publicPath,
    voiceParams({ ...fields, callStatus: fields.callStatus ?? 'in-progress' }),
    { query: url.search.slice(1) },
  );
  return { status: response.status, twiml: await response.text() };
}

/** The form Twilio posts to `AsyncAmdStatusCallback` with its asynchronous AMD verdict. */
export function amdParams(
  call: { sid: string; account_sid: string },
  answeredBy: string,
  durationMs = 2400,
): Record<string, string> {
  return {
    AccountSid: call.account_sid,
    CallSid: call.sid,
    AnsweredBy: answeredBy,
    MachineDetectionDuration: String(durationMs),
  };
}
