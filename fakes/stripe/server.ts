import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Stripe's Billing Meter Events API (`POST /v1/billing/meter_events`) over
 * real HTTP. It checks what Stripe checks: the Bearer secret key, form encoding, the required
 * fields (payload values are strings), the timestamp window (35 days back, 5 minutes ahead) and
 * Idempotency-Key replays; it answers with Stripe's object and error shapes and records requests.
 */
export interface RecordedMeterRequest {
  path: string;
  authorized: boolean;
  contentType: string;
  idempotencyKey?: string;
  /** The `Stripe-Version` header; absent means the account's default API version applies. */
  stripeVersion?: string;
  params: URLSearchParams;
  status: number;
}

export interface AcceptedMeterEvent {
  eventName: string;
  stripeCustomerId: string;
  value: string;
  identifier: string;
  timestamp: number;
}

export interface FakeStripe {
  /** Put in STRIPE_API_BASE_URL. */
  url: string;
  apiKey: string;
  readonly requests: RecordedMeterRequest[];
  /** Distinct meter events accepted (a replayed Idempotency-Key is not a new event). */
  readonly events: AcceptedMeterEvent[];
  /** The next `count` matching requests fail (all requests match unless `match` is given). */
  failNext(failure: StripeFailure): void;
  waitForEvent(match?: (event: AcceptedMeterEvent) => boolean): Promise<AcceptedMeterEvent>;
  close(): Promise<void>;
}

export interface StripeFailure {
  status: number;
  message?: string;
  count?: number;
  match?: (params: URLSearchParams) => boolean;
}

const REQUIRED = ['event_name', 'payload[stripe_customer_id]', 'payload[value]', 'identifier', 'timestamp'];

export async function startFakeStripe(options: { apiKey?: string } = {}): Promise<FakeStripe> {
  const apiKey = options.apiKey ?? `sk_test_${randomBytes(12).toString('hex')}`;
  const requests: RecordedMeterRequest[] = [];
  const events: AcceptedMeterEvent[] = [];
  const replays = new Map<string, { status: number; body: unknown }>();
  const failures: (StripeFailure & { count: number })[] = [];
  const waiters: { match: (e: AcceptedMeterEvent) => boolean; resolve: (e: AcceptedMeterEvent) => void }[] =
    [];

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': `req_${randomBytes(6).toString('hex')}`,
    });
    res.end(JSON.stringify(body));
  };
  const invalid = (message: string, param?: string) => ({
    error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) },
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const record: RecordedMeterRequest = {
      path: req.url ?? '',
      authorized: req.headers.authorization === `Bearer ${apiKey}`,
      contentType: String(req.headers['content-type'] ?? ''),
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      stripeVersion: req.headers['stripe-version'] as string | undefined,
      params,
      status: 0,
    };
    requests.push(record);
    const reply = (status: number, body: unknown) => {
      record.status = status;
      answer(res, status, body);
    };
    if (req.method !== 'POST' || req.url !== '/v1/billing/meter_events')
      return reply(404, invalid(`Unrecognized request URL (${req.method}: ${req.url}).`));
    if (!record.authorized)
      return reply(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
    if (!record.contentType.startsWith('application/x-www-form-urlencoded'))
      return reply(400, invalid('Requests must be form-encoded.'));
    const failure = failures.find((f) => !f.match || f.match(params));
    if (failure) {
      failure.count -= 1;
      if (failure.count <= 0) failures.splice(failures.indexOf(failure), 1);
      return reply(failure.status, {
        error: { type: 'api_error', message: failure.message ?? 'Injected failure.' },
      });
    }
    if (record.idempotencyKey && replays.has(record.idempotencyKey)) {
      const replay = replays.get(record.idempotencyKey) as { status: number; body: unknown };
      return reply(replay.status, replay.body);
    }
    for (const name of REQUIRED)
      if (!params.get(name)) return reply(400, invalid(`Missing required param: ${name}.`, name));
    const value = params.get('payload[value]') as string;
    if (!/^\d+(\.\d+)?$/.test(value))
      return reply(400, invalid('payload[value] must be a number string.', 'payload[value]'));
    const timestamp = Number(params.get('timestamp'));
    const now = Math.floor(Date.now() / 1000);
    if (!Number.isInteger(timestamp) || timestamp < now - 35 * 86_400 || timestamp > now + 300)
      return reply(
        400,
        invalid(
          'timestamp must be within the past 35 days and at most 5 minutes in the future.',
          'timestamp',
        ),
      );
    const event: AcceptedMeterEvent = {
      eventName: params.get('event_name') as string,
      stripeCustomerId: params.get('payload[stripe_customer_id]') as string,
      value,
      identifier: params.get('identifier') as string,
      timestamp,
    };
    if (events.some((e) => e.identifier === event.identifier))
      return reply(400, invalid('A meter event with this identifier already exists.', 'identifier'));
    events.push(event);
    const body = {
      object: 'billing.meter_event',
      created: now,
      event_name: event.eventName,
      identifier: event.identifier,
      livemode: false,
      payload: { stripe_customer_id: event.stripeCustomerId, value: event.value },
      timestamp: event.timestamp,
    };
    if (record.idempotencyKey) replays.set(record.idempotencyKey, { status: 200, body });
    reply(200, body);
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(event)) waiter.resolve(event);
      else waiters.push(waiter);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => answer(res, 500, { error: { type: 'api_error', message: 'fake failed' } }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    events,
    failNext(failure) {
      failures.push({ ...failure, count: failure.count ?? 1 });
    },
    waitForEvent(match = () => true) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
