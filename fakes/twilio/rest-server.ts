import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AnswerOptions, answerCall } from './answering-phone.ts';
import { amdParams, sendTwilioWebhook } from './webhooks.ts';
import { createFakeConferences } from './conferences.ts';
import {
  type Answer,
  checkAmdParams,
  E164_OR_CLIENT,
  isHttpUrl,
  newSid,
  publicCall,
  readBody,
  rfc2822,
  STATUS_EVENTS,
  TERMINAL,
  twilioError,
} from './rest-checks.ts';
import type {
  FakeTwilioCall,
  FakeTwilioRest,
  FakeTwilioRestOptions,
  InjectedFailure,
  RecordedTwilioRequest,
} from './rest-types.ts';

export type {
  AmdResultOptions,
  FakeTwilioCall,
  FakeTwilioRest,
  FakeTwilioRestOptions,
  InjectedFailure,
  RecordedTwilioRequest,
} from './rest-types.ts';

/**
 * A local stand-in for Twilio's REST API (the Calls resource), over real HTTP on a loopback port.
 * It checks what Twilio checks (Basic auth, form encoding, required fields, limits), answers with
 * Twilio's JSON shapes and error bodies, and records every request for assertions. Production
 * code talks to it through `shared/twilio/rest-client.ts` with only `TWILIO_API_BASE_URL` changed.
 */

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
