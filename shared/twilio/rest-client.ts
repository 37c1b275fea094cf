import { AppError, UnavailableError, ValidationError } from '../errors/app-error.ts';

/** Twilio REST credentials and base URL (`TWILIO_API_BASE_URL` points tests at a local fake). */
export interface TwilioRestConfig {
  accountSid: string;
  authToken: string;
  baseUrl: string;
  timeoutMs?: number;
}

export interface CreateTwilioCallInput {
  to: string;
  from: string;
  /** The voice webhook Twilio fetches when the callee answers. */
  url: string;
  statusCallback: string;
  statusCallbackEvents?: ('initiated' | 'ringing' | 'answered' | 'completed')[];
  timeoutSeconds?: number;
  timeLimitSeconds?: number;
  machineDetection?: 'Enable' | 'DetectMessageEnd';
  /** Seconds Twilio tries before reporting `unknown` (`MachineDetectionTimeout`). */
  machineDetectionTimeoutSeconds?: number;
  /** Runs detection in the background and POSTs the verdict here (`AsyncAmd=true`). */
  asyncAmdStatusCallback?: string;
}

export interface TwilioCallResource {
  sid: string;
  status: string;
}

/** Twilio's error body: `{code, message, more_info, status}`. */
export class TwilioApiError extends AppError {
  readonly twilioCode: number | undefined;
  readonly httpStatus: number;
  constructor(httpStatus: number, body: { code?: number; message?: string }) {
    const code =
      httpStatus === 400 || httpStatus === 404
        ? 'validation_error'
        : httpStatus === 429
          ? 'rate_limited'
          : 'unavailable';
    super(code, `Twilio refused the request: ${body.message ?? `HTTP ${httpStatus}`}`, {
      details: { provider: 'twilio', twilioCode: body.code, httpStatus },
      retryable: httpStatus === 429 || httpStatus >= 500,
    });
    this.name = 'TwilioApiError';
    this.twilioCode = body.code;
    this.httpStatus = httpStatus;
  }
}

/** POSTs `form` to a Calls resource, or GETs it when there is no form. */
async function twilioRequest(
  config: TwilioRestConfig,
  path: string,
  form?: URLSearchParams,
): Promise<TwilioCallResource> {
  const url = `${config.baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${config.accountSid}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers: {
        authorization: `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form,
      signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new UnavailableError('Twilio could not be reached.', { cause: error });
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Twilio always answers JSON for .json resources; anything else is a proxy or outage page.
  }
  if (!response.ok) throw new TwilioApiError(response.status, body as { code?: number; message?: string });
  if (typeof body.sid !== 'string') throw new UnavailableError('Twilio answered without a call sid.');
  return { sid: body.sid, status: String(body.status ?? '') };
}

/**
 * Places an outbound call: `POST /2010-04-01/Accounts/{sid}/Calls.json`, form-encoded, Basic auth.
 * `StatusCallbackEvent` is repeated once per value, as Twilio expects.
 */
export function createTwilioCall(
  config: TwilioRestConfig,
  input: CreateTwilioCallInput,
): Promise<TwilioCallResource> {
  if (!input.to || !input.from) throw new ValidationError('Both to and from are required for a Twilio call.');
  const form = new URLSearchParams({
    To: input.to,
    From: input.from,
    Url: input.url,
    Method: 'POST',
    StatusCallback: input.statusCallback,
    StatusCallbackMethod: 'POST',
  });
  for (const event of input.statusCallbackEvents ?? ['initiated', 'ringing', 'answered', 'completed']) {
    form.append('StatusCallbackEvent', event);
  }
  if (input.timeoutSeconds !== undefined) form.set('Timeout', String(input.timeoutSeconds));
  if (input.timeLimitSeconds !== undefined) form.set('TimeLimit', String(input.timeLimitSeconds));
  if (input.machineDetection) form.set('MachineDetection', input.machineDetection);
  if (input.machineDetection && input.machineDetectionTimeoutSeconds !== undefined) {
    form.set('MachineDetectionTimeout', String(input.machineDetectionTimeoutSeconds));
  }
  if (input.asyncAmdStatusCallback) {
    form.set('AsyncAmd', 'true');
    form.set('AsyncAmdStatusCallback', input.asyncAmdStatusCallback);
    form.set('AsyncAmdStatusCallbackMethod', 'POST');
  }
  return twilioRequest(config, '/Calls.json', form);
}

/**
 * Places a call that runs `twiml` when answered (no voice webhook): `POST Calls.json` with `Twiml`.
 * A warm transfer's consult leg uses it; without `StatusCallback` its progress is read by fetching
 * the call.
 */
export function createTwilioCallWithTwiml(
  config: TwilioRestConfig,
  input: { to: string; from: string; twiml: string; timeoutSeconds: number },
): Promise<TwilioCallResource> {
  if (!input.to || !input.from) throw new ValidationError('Both to and from are required for a Twilio call.');
  const form = new URLSearchParams({
    To: input.to,
    From: input.from,
    Twiml: input.twiml,
    Timeout: String(input.timeoutSeconds),
  });
  return twilioRequest(config, '/Calls.json', form);
}

/**
 * Updates a live call: `{status:'completed'}` hangs up, `{twiml}` replaces what it is doing
 * (e.g. `<Dial>` for a cold transfer).
 */
export function updateTwilioCall(
  config: TwilioRestConfig,
  callSid: string,
  update: { status: 'completed' | 'canceled' } | { twiml: string },
): Promise<TwilioCallResource> {
  const form = new URLSearchParams('status' in update ? { Status: update.status } : { Twiml: update.twiml });
  return twilioRequest(config, `/Calls/${encodeURIComponent(callSid)}.json`, form);
}

/** Reads a call's current status: `GET /2010-04-01/Accounts/{sid}/Calls/{CallSid}.json`. */
export function fetchTwilioCall(config: TwilioRestConfig, callSid: string): Promise<TwilioCallResource> {
  return twilioRequest(config, `/Calls/${encodeURIComponent(callSid)}.json`);
}
