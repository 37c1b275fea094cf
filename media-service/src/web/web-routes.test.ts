import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { DEFAULT_LEASE_TIMING } from '../resume/task-heartbeat.ts';
import { TaskHeartbeat } from '../resume/task-heartbeat.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { signStreamToken, newStreamTokenId } from '#shared/calls/stream-token.ts';
import { loadEnv } from '#shared/config/env.ts';
import { createSecretStore } from '#shared/config/secrets.ts';
import { transitionCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { createWebCall } from '#shared/web-calls/create-web-call.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../../test/platform.ts';
import type { TransportCloseReason, TransportEvents } from '../session/call-transport.ts';
import type { ModelConnector } from '../realtime/model-pool.ts';
import { createMediaHttpServer, type MediaRoutes } from '../server.ts';
import type { SessionDeps, StartCallSessionInput } from '../session/session-deps.ts';
import { createSessionRegistry } from '../session/session-registry.ts';
import { registerWebCallRoutes } from './web-routes.ts';

/** What the test session saw of one browser call: the transport's events, in order. */
interface RecordedCall {
  input: StartCallSessionInput;
  audio: Buffer[];
  played: [string, number][];
  closed: Promise<[TransportCloseReason, string | undefined]>;
}

let platform: TestPlatform;
let owner: TestTenant;
let baseUrl: string;
let stopMedia: () => Promise<void>;
const started: RecordedCall[] = [];
let modelAcquisitions = 0;

/**
 * Stands in for the call session so these tests see exactly what the transport reports; the
 * browser end-to-end test runs the real session.
 */
function recordingSession(input: StartCallSessionInput): void {
  let resolveClosed!: (value: [TransportCloseReason, string | undefined]) => void;
  const call: RecordedCall = {
    input,
    audio: [],
    played: [],
    closed: new Promise((resolve) => {
      resolveClosed = resolve;
    }),
  };
  started.push(call);
  const events: TransportEvents = {
    callerAudio: (audio) => call.audio.push(Buffer.from(audio as Buffer)),
    dtmf: () => undefined,
    played: (itemId, ms) => call.played.push([itemId, ms]),
    closed: (reason, detail) => resolveClosed([reason, detail]),
  };
  input.transport.attach(events);
  input.slot.bind({
    callId: input.call.id,
    end: async () => undefined,
    closed: call.closed.then(() => undefined),
  });
}

beforeAll(async () => {
  platform = await startTestPlatform({ env: { STAGE: 'local' } });
  owner = await createTestTenant({ maxConcurrentCalls: 100, requestsPerSecond: 1000 });
  const env = loadEnv({ ...platform.env, WEB_DEMO_AGENT: `${owner.tenant.id}/${owner.agentId}` });
  const models: ModelConnector = {
    acquire: async () => {
      modelAcquisitions += 1;
      throw new Error('the browser transport must not open model sessions itself');
    },
    snapshot: () => ({ warm: 0, target: 0 }),
    close: () => undefined,
  };
  const deps: SessionDeps = {
    env,
    taskId: 'test-task',
    // Never started: these sessions are stand-ins that claim no call.
    heartbeat: new TaskHeartbeat({
      db: dbFromEnv(),
      logger: createLogger({ level: 'error' }),
      taskId: 'test-task',
      timing: DEFAULT_LEASE_TIMING,
    }),
    logger: createLogger({ level: 'error' }),
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    secrets: createSecretStore({ env: platform.env }),
    registry: createSessionRegistry(10),
    models,
  };
  const routes: MediaRoutes = { http: new Map(), upgrade: new Map(), checks: {} };
  registerWebCallRoutes(routes, deps, { startSession: recordingSession, pingIntervalMs: 100 });
  const server = createMediaHttpServer(deps, routes, () => deps.registry.snapshot());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stopMedia = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
});
afterAll(async () => {
  await stopMedia?.();
  await platform?.stop();
});

async function newLink(ttlSeconds?: number) {
  return createWebCall(
    dbFromEnv(),
    { tenantId: owner.tenant.id, agentId: owner.agentId, ttlSeconds },
    { signingKey: platform.secrets.INTERNAL_SIGNING_KEY, publicMediaUrl: baseUrl },
  );
}

function tokenFor(claims: { callId: string; provider: 'web' | 'twilio'; expSecondsFromNow: number }) {
  return signStreamToken(
    {
      callId: claims.callId,
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      provider: claims.provider,
      exp: Math.floor(Date.now() / 1000) + claims.expSecondsFromNow,
      jti: newStreamTokenId(),
    },
    platform.secrets.INTERNAL_SIGNING_KEY,
  );
}

/** A browser-like client: JSON messages and binary frames in arrival order, and the close. */
function openSocket(token: string) {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/web?token=${encodeURIComponent(token)}`);
  const frames: (Record<string, unknown> | Buffer)[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    frames.push(isBinary ? data : JSON.parse(data.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const next = async (match: (f: Record<string, unknown> | Buffer) => boolean) => {
    for (;;) {
      const found = frames.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const message = (type: string) =>
    next((f) => !Buffer.isBuffer(f) && f.type === type) as Promise<Record<string, unknown>>;
  return { ws, frames, closed, next, message };
}

describe('the call page', () => {
  it('serves the page for a valid link with headers that keep the token private', async () => {
    const link = await newLink();
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain('data-mode="token" data-initial-error=""');
    expect(html).toContain('<script type="module" src="/call/call.js"></script>');
  });

  it('tells expired and mangled links apart without spending them', async () => {
    const expired = await fetch(
      `${baseUrl}/call?token=${tokenFor({ callId: 'call_x', provider: 'web', expSecondsFromNow: -5 })}`,
    );
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('data-initial-error="token_expired"');
    for (const token of [
      '',
      'garbage',
      tokenFor({ callId: 'call_x', provider: 'twilio', expSecondsFromNow: 60 }),
    ]) {
      const res = await fetch(`${baseUrl}/call?token=${encodeURIComponent(token)}`);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('data-initial-error="token_invalid"');
    }
  });

  it('serves the scripts and worklets with their types and revalidates by etag', async () => {
    for (const [path, type] of [
      ['/call/call.js', 'text/javascript'],
      ['/call/capture-processor.js', 'text/javascript'],
      ['/call/playback-processor.js', 'text/javascript'],
      ['/call/call.css', 'text/css'],
    ] as const) {
      const res = await fetch(`${baseUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      const again = await fetch(`${baseUrl}${path}`, {
        headers: { 'if-none-match': res.headers.get('etag') ?? '' },
      });
      expect(again.status).toBe(304);
    }
    expect((await fetch(`${baseUrl}/call/nope.js`)).status).toBe(404);
  });
});

describe('the /web socket refuses before any session starts', () => {
  const refusals: [string, () => Promise<string>, number, string][] = [
    ['a mangled token', async () => 'st1.not.valid', 4401, 'token_invalid'],
    [
      'an expired token',
      async () => tokenFor({ callId: (await newLink()).call.id, provider: 'web', expSecondsFromNow: -1 }),
      4410,
      'token_expired',
    ],
    [
      'a Twilio stream token',
      async () => tokenFor({ callId: (await newLink()).call.id, provider: 'twilio', expSecondsFromNow: 60 }),
      4401,
      'token_invalid',
    ],
    [
      'a token for a call that was canceled',
      async () => {
        const link = await newLink();
        await transitionCall(dbFromEnv(), owner.tenant.id, link.call.id, 'canceled', {
          endReason: 'api_request',
        });
        return link.token;
      },
      4404,
      'call_unavailable',
    ],
  ];
  for (const [name, makeToken, code, reason] of refusals) {
    it(`closes ${code} ${reason} for ${name}`, async () => {
      const before = started.length;
      const socket = openSocket(await makeToken());
      expect(await socket.closed).toEqual({ code, reason });
      expect(started.length).toBe(before);
      expect(modelAcquisitions).toBe(0);
    });
  }

  it('lets a link join once; the second use is refused as used', async () => {
    const link = await newLink();
    const first = openSocket(link.token);
    expect(await first.message('ready')).toMatchObject({ callId: link.call.id });
    const second = openSocket(link.token);
    expect(await second.closed).toEqual({ code: 4409, reason: 'token_used' });
    first.ws.close(1000);
    await first.closed;
  });
});

describe('the browser transport on the wire', () => {
  it('relays audio both ways untouched and maps the control messages', async () => {
    const link = await newLink();
    const client = openSocket(link.token);
    expect(await client.message('ready')).toEqual({
      type: 'ready',
      callId: link.call.id,
      agentName: 'Test agent',
      encoding: 'pcm16le',
      sampleRate: 24000,
      channels: 1,
    });
    const session = started.at(-1) as RecordedCall;
    expect(session.input.call.id).toBe(link.call.id);
    expect(session.input.transport).toMatchObject({
      provider: 'web',
      audioFormat: { type: 'audio/pcm', rate: 24000 },
    });

    // Caller audio: binary PCM16 passes to the session byte for byte.
    const mic = Buffer.from(Array.from({ length: 960 }, (_, i) => i % 256));
    client.ws.send(mic);
    client.ws.send(JSON.stringify({ type: 'playback', itemId: 'item_a', playedMs: 40 }));
    client.ws.send(JSON.stringify({ type: 'mute' })); // unknown types are ignored
    client.ws.send(JSON.stringify({ type: 'cleared', itemId: 'item_a', playedMs: 60 }));
    await client.message('ping');
    expect(Buffer.concat(session.audio)).toEqual(mic);
    expect(session.played).toEqual([
      ['item_a', 40],
      ['item_a', 60],
    ]);

    // Agent audio: announced once per item, then raw PCM frames; clear names the item.
    const agentPcm = Buffer.alloc(480, 7);
    const chunk = { base64: agentPcm.toString('base64'), byteLength: agentPcm.length };
    session.input.transport.sendAgentAudio('item_b', chunk);
    session.input.transport.sendAgentAudio('item_b', chunk);
    session.input.transport.showPartial?.('agent', 'item_b', 'Hello ');
    session.input.transport.clearPlayback();
    session.input.transport.showTurn?.({
      callId: link.call.id,
      seq: 1,
      role: 'agent',
      text: 'Hello there',
      startedAt: new Date().toISOString(),
      itemId: 'item_b',
      interrupted: true,
    });
    await client.message('transcript.done');
    const sequence = client.frames.filter(
      (f) => Buffer.isBuffer(f) || (f.type !== 'ping' && f.type !== 'ready' && f.type !== 'resume'),
    );
    expect(sequence).toEqual([
      { type: 'agent.audio', itemId: 'item_b' },
      agentPcm,
      agentPcm,
      { type: 'transcript.delta', role: 'agent', itemId: 'item_b', delta: 'Hello ' },
      { type: 'clear', itemId: 'item_b' },
      { type: 'transcript.done', role: 'agent', itemId: 'item_b', text: 'Hello there', interrupted: true },
    ]);

    client.ws.send(JSON.stringify({ type: 'end' }));
    expect(await session.closed).toEqual(['caller_hangup', 'caller_hangup']);
    expect((await client.closed).code).toBe(1000);
  });

  it('ends the call with a protocol error on a malformed frame', async () => {
    const client = openSocket((await newLink()).token);
    await client.message('ready');
    const session = started.at(-1) as RecordedCall;
    client.ws.send(Buffer.from([1, 2, 3]));
    expect(await client.message('error')).toMatchObject({ code: 'protocol_error' });
    expect(await client.closed).toEqual({ code: 4400, reason: 'protocol_error' });
    expect(await session.closed).toEqual(['media_error', 'protocol_error']);
  });

  it('reports a vanished browser as a lost leg the page can resume, after giving it a resume token', async () => {
    const client = openSocket((await newLink()).token);
    await client.message('ready');
    expect(await client.message('resume')).toMatchObject({ token: expect.any(String), expiresInMs: 60_000 });
    const session = started.at(-1) as RecordedCall;
    client.ws.terminate();
    expect((await session.closed)[0]).toBe('leg_lost');
  });

  it('says why when the session hangs up', async () => {
    const client = openSocket((await newLink()).token);
    await client.message('ready');
    const session = started.at(-1) as RecordedCall;
    await session.input.transport.hangUp('agent_hangup');
    expect(await client.message('ended')).toEqual({ type: 'ended', reason: 'agent_hangup' });
    expect(await client.closed).toEqual({ code: 1000, reason: 'call_ended' });
    session.input.transport.close('agent_hangup'); // idempotent
  });
});

describe('the local demo page', () => {
  it('mints a fresh link per start for the demo agent, only for its own page', async () => {
    const page = await fetch(`${baseUrl}/call/demo`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-mode="demo"');
    const minted = await fetch(`${baseUrl}/call/demo/token`, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(minted.status).toBe(201);
    const body = await minted.json();
    const client = openSocket(body.token);
    expect(await client.message('ready')).toMatchObject({ callId: body.callId });
    client.ws.close(1000);
    const crossSite = await fetch(`${baseUrl}/call/demo/token`, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
  });
});
