import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AnswerOptions, answerCall } from './answering-phone.ts';
import { amdParams, sendTwilioWebhook } from './webhooks.ts';
import { createFakeConferences } from './conferences.ts';

/**
 * A local stand-in for Twilio's REST API (the Calls resource), over real HTTP on a loopback port.
 * It checks what Twilio checks (Basic auth, form encoding, required fields, limits), answers with
 * Twilio's JSON shapes and error bodies, and records every request for assertions. Production
 * code talks to it through `shared/twilio/rest-client.ts` with only `TWILIO_API_BASE_URL` changed.
 */

/** One request as the fake received it. `params` keeps repeated keys (`StatusCallbackEvent`). */
export interface RecordedTwilioRequest {
  method: string;
  path: string;
  /**
   * `create` = POST Calls.json, `update` = POST Calls/{sid}.json, `fetch` = GET Calls/{sid}.json,
   * `conference` = a Conferences or Participants resource (`conferences.ts`), `other` = anything else.
   */
  kind: 'create' | 'update' | 'fetch' | 'conference' | 'other';
  callSid?: string;
  contentType: string;
  /** Basic-auth credentials matched the account. */
  authorized: boolean;
  params: URLSearchParams;
  /** The query string (GET list filters). */
  query: URLSearchParams;
  /** The HTTP status the fake answered. */
  status: number;
}

/** Twilio's call resource (the subset of fields clients read). */
export interface FakeTwilioCall {
  sid: string;
  account_sid: string;
  to: string;
  from: string;
  status: 'queued' | 'ringing' | 'in-progress' | 'completed' | 'canceled' | 'busy' | 'failed' | 'no-answer';
  direction: 'outbound-api' | 'inbound';
  api_version: '2010-04-01';
  date_created: string;
  date_updated: string;
  uri: string;
  /** Not part of Twilio's resource: where the fake was told to send the call, for tests. */
  url?: string;
  twiml?: string;
  statusCallback?: string;
  statusCallbackEvents: string[];
  /** `MachineDetection` as asked for (`Enable` or `DetectMessageEnd`). */
  machineDetection?: string;
  /** Where the asynchronous AMD verdict goes (`AsyncAmd=true`). */
  asyncAmdStatusCallback?: string;
}

/** Options of a simulated AMD verdict. */
export interface AmdResultOptions {
  /** `MachineDetectionDuration` in milliseconds. */
  durationMs?: number;
  /** Post here instead of the callback's own origin (the local gateway behind a public URL). */
  deliverTo?: string;
  /** Overrides the signature (a forged callback); `null` sends none. */
  signature?: string | null;
}

/** A failure to inject: the next `count` matching requests get this error body. */
export interface InjectedFailure {
  status: number;
  code?: number;
  message?: string;
  count?: number;
  /** Which requests fail; all by default. */
  kind?: 'create' | 'update';
}

export interface FakeTwilioRest {
  /** Base URL to put in TWILIO_API_BASE_URL (no trailing slash). */
  url: string;
  accountSid: string;
  authToken: string;
  /** Every request in arrival order. */
  readonly requests: RecordedTwilioRequest[];
  /** Calls created so far, by sid. */
  readonly calls: ReadonlyMap<string, FakeTwilioCall>;
  /** Conferences calls joined with `<Dial><Conference>` TwiML, and their participants. */
  readonly conferences: ReturnType<typeof createFakeConferences>;
  /** Makes the next matching request(s) fail with Twilio's error body. */
  failNext(failure: InjectedFailure): void;
  /** Resolves with the first recorded request (past or future) that matches. */
  waitForRequest(match?: (request: RecordedTwilioRequest) => boolean): Promise<RecordedTwilioRequest>;
  /** A call that reached one of our numbers (inbound): Twilio knows it, the fake did not place it. */
  addInboundCall(sid: string, status: FakeTwilioCall['status']): void;
  /** Sets a call's status, as Twilio would when the callee answers or hangs up. */
  setCallStatus(sid: string, status: FakeTwilioCall['status']): void;
  /**
   * Sends the asynchronous AMD verdict of a call created with `AsyncAmd=true`, signed like every
   * Twilio webhook, to its `AsyncAmdStatusCallback`.
   */
  sendAmdResult(sid: string, answeredBy: string, options?: AmdResultOptions): Promise<Response>;
  close(): Promise<void>;
}

export interface FakeTwilioRestOptions {
  accountSid?: string;
  authToken?: string;
  /** Answer every created call with a simulated phone (the local demo); calls just sit queued otherwise. */
  answer?: Omit<AnswerOptions, 'authToken'>;
  /** Listen on this port (0 = any free one). */
  port?: number;
}

const STATUS_EVENTS = new Set(['initiated', 'ringing', 'answered', 'completed']);
const TERMINAL = new Set(['completed', 'canceled', 'busy', 'failed', 'no-answer']);
const E164_OR_CLIENT = /^(\+[1-9]\d{6,14}|client:[\w.-]+|sip:\S+)$/;

const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');
const newSid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function isHttpUrl(value: string | null): boolean {
  if (!value) return false;
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const twilioError = (status: number, code: number, message: string): Answer => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

export async function startFakeTwilioRest(options: FakeTwilioRestOptions = {}): Promise<FakeTwilioRest> {
  const accountSid = options.accountSid ?? newSid('AC');
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const requests: RecordedTwilioRequest[] = [];
  const calls = new Map<string, FakeTwilioCall>();
  const failures: InjectedFailure[] = [];
  const conferences = createFakeConferences(accountSid, (sid) => {
    const call = calls.get(sid);
    if (call && !TERMINAL.has(call.status)) call.status = 'completed';
  });
  /** Hang-up switches of the calls being answered, by sid. */
  const answering = new Map<string, AbortController>();
  const waiters: {
    match: (r: RecordedTwilioRequest) => boolean;
    resolve: (r: RecordedTwilioRequest) => void;
  }[] = [];

  const takeFailure = (kind: RecordedTwilioRequest['kind']): InjectedFailure | undefined => {
    const index = failures.findIndex((f) => !f.kind || f.kind === kind);
    if (index < 0) return undefined;
    const failure = failures[index] as InjectedFailure;
    failure.count = (failure.count ?? 1) - 1;
    if (failure.count <= 0) failures.splice(index, 1);
    return failure;
  };

  const createCall = (params: URLSearchParams): Answer => {
    const to = params.get('To');
    const from = params.get('From');
    const url = params.get('Url');
    const twiml = params.get('Twiml');
    if (!to) return twilioError(400, 21201, "No 'To' number is specified");
    if (!E164_OR_CLIENT.test(to)) return twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!from) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!url && !twiml && !params.get('ApplicationSid')) {
      return twilioError(400, 21205, 'Url parameter is required.');
    }
    if (url !== null && !isHttpUrl(url)) return twilioError(400, 21205, `Url is not a valid URL: ${url}`);
    if (twiml && twiml.length > 4000) return twilioError(400, 13950, 'Twiml is too long (4000 characters).');
    const statusCallback = params.get('StatusCallback');
    if (statusCallback !== null && !isHttpUrl(statusCallback)) {
      return twilioError(400, 21609, `StatusCallback is not a valid URL: ${statusCallback}`);
    }
    const events = params.getAll('StatusCallbackEvent');
    const badEvent = events.find((event) => !STATUS_EVENTS.has(event));
    if (badEvent) return twilioError(400, 21626, `Invalid StatusCallbackEvent: ${badEvent}`);
    const timeout = params.get('Timeout');
    if (timeout !== null && !(/^\d+$/.test(timeout) && Number(timeout) <= 600)) {
      return twilioError(400, 21210, 'Timeout must be an integer between 0 and 600.');
    }
    const amd = checkAmdParams(params);
    if (amd) return amd;
    const now = new Date();
    const sid = newSid('CA');
    const call: FakeTwilioCall = {
      sid,
      account_sid: accountSid,
      to,
      from,
      status: 'queued',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: rfc2822(now),
      date_updated: rfc2822(now),
      uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json`,
      url: url ?? undefined,
      twiml: url ? undefined : (twiml ?? undefined),
      statusCallback: statusCallback ?? undefined,
      // Twilio sends only `completed` when no event is named.
      statusCallbackEvents: events.length > 0 ? events : ['completed'],
      machineDetection: params.get('MachineDetection') ?? undefined,
      asyncAmdStatusCallback:
        params.get('AsyncAmd') === 'true' ? (params.get('AsyncAmdStatusCallback') ?? undefined) : undefined,
    };
    calls.set(sid, call);
    if (options.answer) {
      const hangUp = new AbortController();
      answering.set(sid, hangUp);
      // Twilio answers the API request first and calls back afterwards.
      setImmediate(() => {
        void answerCall(call, { ...options.answer, authToken } as AnswerOptions, hangUp.signal).finally(() =>
          answering.delete(sid),
        );
      });
    }
    return { status: 201, body: publicCall(call) };
  };

  const updateCall = (sid: string, params: URLSearchParams): Answer => {
    const call = calls.get(sid);
    if (!call) {
      return twilioError(
        404,
        20404,
        `The requested resource /2010-04-01/Accounts/${accountSid}/Calls/${sid}.json was not found`,
      );
    }
    const status = params.get('Status');
    const twiml = params.get('Twiml');
    if (status === null && twiml === null && params.get('Url') === null) {
      return twilioError(400, 21220, 'Nothing to update: send Status, Url or Twiml.');
    }
    if (status !== null) {
      if (status !== 'completed' && status !== 'canceled') {
        return twilioError(400, 21218, `Invalid Status: ${status}`);
      }
      if (TERMINAL.has(call.status))
        return twilioError(400, 21220, 'Call is not in-progress. Cannot redirect.');
      // Twilio: `canceled` only ends a call that has not been answered; `completed` ends any.
      if (status === 'canceled' && call.status === 'in-progress')
        return { status: 200, body: publicCall(call) };
      call.status = status;
      answering.get(sid)?.abort();
      conferences.leave(sid);
    } else {
      if (TERMINAL.has(call.status))
        return twilioError(400, 21220, 'Call is not in-progress. Cannot redirect.');
      if (twiml && twiml.length > 4000)
        return twilioError(400, 13950, 'Twiml is too long (4000 characters).');
      call.twiml = twiml ?? undefined;
      if (twiml) conferences.twimlChanged(sid, twiml);
    }
    call.date_updated = rfc2822(new Date());
    return { status: 200, body: publicCall(call) };
  };

  const route = (request: RecordedTwilioRequest): Answer => {
    if (!request.authorized) return twilioError(401, 20003, 'Authenticate');
    if (request.kind === 'conference') {
      const answer = conferences.route(request.method, request.path, request.params, request.query);
      if (answer) return answer;
    }
    if (request.kind === 'other' || request.kind === 'conference')
      return twilioError(404, 20404, 'The requested resource was not found');
    if (request.kind === 'fetch') {
      const call = calls.get(request.callSid as string);
      return call
        ? { status: 200, body: publicCall(call) }
        : twilioError(404, 20404, `The requested resource ${request.path} was not found`);
    }
    if (!request.contentType.startsWith('application/x-www-form-urlencoded')) {
      return twilioError(400, 21200, 'Requests must be application/x-www-form-urlencoded.');
    }
    const failure = takeFailure(request.kind);
    if (failure)
      return twilioError(failure.status, failure.code ?? 20500, failure.message ?? 'Internal Server Error');
    return request.kind === 'create'
      ? createCall(request.params)
      : updateCall(request.callSid as string, request.params);
  };

  const callsPath = `/2010-04-01/Accounts/${accountSid}/Calls`;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const requestUrl = new URL(req.url ?? '/', 'http://fake');
    const path = requestUrl.pathname;
    let kind: RecordedTwilioRequest['kind'] = 'other';
    let callSid: string | undefined;
    if (req.method === 'POST' && path === `${callsPath}.json`) kind = 'create';
    if (path.startsWith(`/2010-04-01/Accounts/${accountSid}/Conferences`)) kind = 'conference';
    const single = path.match(/\/Calls\/([^/]+)\.json$/);
    if (
      single &&
      path === `${callsPath}/${single[1]}.json` &&
      (req.method === 'POST' || req.method === 'GET')
    ) {
      kind = req.method === 'POST' ? 'update' : 'fetch';
      callSid = decodeURIComponent(single[1] as string);
    }
    const recorded: RecordedTwilioRequest = {
      method: req.method ?? '',
      path,
      kind,
      callSid,
      contentType: String(req.headers['content-type'] ?? ''),
      authorized: req.headers.authorization === expectedAuth,
      params: new URLSearchParams(body),
      query: requestUrl.searchParams,
      status: 0,
    };
    const answer = route(recorded);
    recorded.status = answer.status;
    requests.push(recorded);
    for (const waiter of [...waiters]) {
      if (waiter.match(recorded)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(recorded);
      }
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500).end();
    });
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    requests,
    calls,
    conferences,
    failNext(failure) {
      failures.push({ ...failure });
    },
    waitForRequest(match = () => true) {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    addInboundCall(sid, status) {
      const now = rfc2822(new Date());
      calls.set(sid, {
        sid,
        account_sid: accountSid,
        to: '+14155550199',
        from: '+14155550100',
        status,
        direction: 'inbound',
        api_version: '2010-04-01',
        date_created: now,
        date_updated: now,
        uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json`,
        statusCallbackEvents: [],
      });
    },
    setCallStatus(sid, status) {
      const call = calls.get(sid);
      if (!call) throw new Error(`No fake call ${sid}.`);
      call.status = status;
      if (TERMINAL.has(status)) conferences.leave(sid);
    },
    async sendAmdResult(sid, answeredBy, amdOptions = {}) {
      const call = calls.get(sid);
      if (!call?.asyncAmdStatusCallback) throw new Error(`Fake call ${sid} has no AsyncAmdStatusCallback.`);
      const url = new URL(call.asyncAmdStatusCallback);
      return sendTwilioWebhook(
        { apiUrl: amdOptions.deliverTo ?? url.origin, publicUrl: url.origin, authToken },
        `${url.pathname}${url.search}`,
        amdParams(call, answeredBy, amdOptions.durationMs),
        { signature: amdOptions.signature },
      );
    },
    async close() {
      for (const hangUp of answering.values()) hangUp.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const MACHINE_DETECTION = new Set(['Enable', 'DetectMessageEnd']);

/** Twilio's checks of the AMD parameters of a call create; undefined when they are fine. */
function checkAmdParams(params: URLSearchParams): Answer | undefined {
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
function publicCall(call: FakeTwilioCall): Record<string, unknown> {
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
