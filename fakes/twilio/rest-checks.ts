import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FakeTwilioCall } from './rest-types.ts';

/** Twilio's checks and response shapes for the fake REST API (rest-server.ts). */

export const STATUS_EVENTS = new Set(['initiated', 'ringing', 'answered', 'completed']);
export const TERMINAL = new Set(['completed', 'canceled', 'busy', 'failed', 'no-answer']);
export const E164_OR_CLIENT = /^(\+[1-9]\d{6,14}|client:[\w.-]+|sip:\S+)$/;

export const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');
export const newSid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function isHttpUrl(value: string | null): boolean {
  if (!value) return false;
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export const twilioError = (status: number, code: number, message: string): Answer => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

const MACHINE_DETECTION = new Set(['Enable', 'DetectMessageEnd']);

/** Twilio's checks of the AMD parameters of a call create; undefined when they are fine. */
export function checkAmdParams(params: URLSearchParams): Answer | undefined {
  const mode = params.get('MachineDetection');
  if (mode !== null && !MACHINE_DETECTION.has(mode)) {
    return twilioError(400, 21263, `Invalid MachineDetection: ${mode}`);
  }
  const timeout = params.get('MachineDetectionTimeout');
  if (timeout !== null && !(/^\d+$/.test(timeout) && Number(timeout) >= 3 && Number(timeout) <= 59)) {
    return twilioError(400, 21263, 'MachineDetectionTimeout must be between 3 and 59 seconds.');
  }
  const asyncAmd = params.get('AsyncAmd');
  if (asyncAmd !== null && asyncAmd !== 'true' && asyncAmd !== 'false') {
    return twilioError(400, 21263, `Invalid AsyncAmd: ${asyncAmd}`);
  }
  const callback = params.get('AsyncAmdStatusCallback');
  if (callback !== null && !isHttpUrl(callback)) {
    return twilioError(400, 21263, `AsyncAmdStatusCallback is not a valid URL: ${callback}`);
  }
  const method = params.get('AsyncAmdStatusCallbackMethod');
  if (method !== null && method !== 'POST') {
    return twilioError(400, 21263, 'AsyncAmdStatusCallbackMethod must be POST.');
  }
  return undefined;
}

/** The JSON Twilio returns: its fields only, without the fake's bookkeeping. */
export function publicCall(call: FakeTwilioCall): Record<string, unknown> {
  const {
    url: _url,
    twiml: _twiml,
    statusCallback: _cb,
    statusCallbackEvents: _events,
    machineDetection: _md,
    asyncAmdStatusCallback: _amd,
    ...resource
  } = call;
  return { ...resource, price: null, price_unit: 'USD', parent_call_sid: null, answered_by: null };
}
