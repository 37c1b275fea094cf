import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LEASE_TIMING } from '../../media-service/src/resume/task-heartbeat.ts';
import { TaskHeartbeat } from '../../media-service/src/resume/task-heartbeat.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newStreamTokenId, signStreamToken } from '#shared/calls/stream-token.ts';
import { loadEnv } from '#shared/config/env.ts';
import { createSecretStore } from '#shared/config/secrets.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { createWebCall } from '#shared/web-calls/create-web-call.ts';
import { createMediaHttpServer, type MediaRoutes } from '../../media-service/src/server.ts';
import type { SessionDeps, StartCallSessionInput } from '../../media-service/src/session/session-deps.ts';
import { createSessionRegistry } from '../../media-service/src/session/session-registry.ts';
import { registerWebCallRoutes } from '../../media-service/src/web/web-routes.ts';
import {
  createTestTenant,
  rootDir,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../platform.ts';
import { type LaunchedChromium, launchChromium } from './chromium.ts';
import { writeSpeechLikeWav } from './speech-wav.ts';

/**
 * The call page in real Chromium beyond the happy path of browser-call.test.ts: embedded in
 * another site, and its failure messages (links that cannot start a call, a microphone the
 * browser refuses, a connection that drops mid-call, a model that fails). The session behind the
 * socket only attaches (these paths never reach the model); browser-call.test.ts runs the real one.
 */
let platform: TestPlatform;
let owner: TestTenant;
let server: Server;
let baseUrl = '';
let chrome: LaunchedChromium;
let denyingChrome: LaunchedChromium;
/** Every TCP connection to the media server, upgraded WebSockets included, to cut them. */
const tcpConnections = new Set<Socket>();
/** While true, the network is down: every new TCP connection is cut at once. */
let networkDown = false;

function attachOnly(input: StartCallSessionInput): void {
  input.transport.attach({
    callerAudio: () => undefined,
    dtmf: () => undefined,
    played: () => undefined,
    closed: () => undefined,
  });
  // As the real session does when the model cannot be reached.
  if (input.call.metadata.scenario === 'model_down') input.transport.close('model_error');
}

beforeAll(async () => {
  platform = await startTestPlatform();
  owner = await createTestTenant({ maxConcurrentCalls: 50, requestsPerSecond: 1000 });
  const deps: SessionDeps = {
    env: loadEnv(platform.env),
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
    models: {
      acquire: () => Promise.reject(new Error('not used')),
      snapshot: () => ({ warm: 0, target: 0 }),
      close: () => undefined,
    },
  };
  const routes: MediaRoutes = { http: new Map(), upgrade: new Map(), checks: {} };
  registerWebCallRoutes(routes, deps, { startSession: attachOnly });
  server = createMediaHttpServer(deps, routes, () => deps.registry.snapshot());
  server.on('connection', (socket) => {
    if (networkDown) {
      socket.destroy();
      return;
    }
    tcpConnections.add(socket);
    socket.once('close', () => tcpConnections.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dir = join(rootDir, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const wavPath = join(dir, 'caller-speech.wav');
  writeSpeechLikeWav(wavPath);
  chrome = await launchChromium({ wavPath });
  denyingChrome = await launchChromium({ wavPath, microphone: 'deny' });
});
afterAll(async () => {
  await chrome?.close();
  await denyingChrome?.close();
  server?.closeAllConnections();
  server?.close();
  await platform?.stop();
});

const newLink = (metadata: Record<string, string> = {}) =>
  createWebCall(
    dbFromEnv(),
    { tenantId: owner.tenant.id, agentId: owner.agentId, metadata },
    { signingKey: platform.secrets.INTERNAL_SIGNING_KEY, publicMediaUrl: baseUrl },
  );

async function errorShown(page: import('playwright-core').Page) {
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible' });
  return { code: await error.getAttribute('data-code'), text: await error.textContent() };
}

describe('the call page explains what went wrong', () => {
  it('says an expired link has expired as soon as it opens, and offers no start', async () => {
    const token = signStreamToken(
      {
        callId: (await newLink()).call.id,
        tenantId: owner.tenant.id,
        agentId: owner.agentId,
        provider: 'web',
        exp: Math.floor(Date.now() / 1000) - 1,
        jti: newStreamTokenId(),
      },
      platform.secrets.INTERNAL_SIGNING_KEY,
    );
    const page = await chrome.browser.newPage();
    await page.goto(`${baseUrl}/call?token=${token}`);
    expect(await errorShown(page)).toEqual({
      code: 'token_expired',
      text: 'This call link has expired. Ask for a new link.',
    });
    expect(await page.locator('#start').isDisabled()).toBe(true);
    await page.close();
  });

  it('says a used link was used, after the server refused it', async () => {
    const link = await newLink();
    const first = await chrome.browser.newPage();
    await first.goto(link.url);
    await first.click('#start');
    await first.waitForSelector('body[data-state="live"]');

    const second = await chrome.browser.newPage();
    await second.goto(link.url);
    await second.click('#start');
    expect((await errorShown(second)).code).toBe('token_used');
    expect(await second.getAttribute('body', 'data-state')).toBe('failed');
    await first.click('#stop');
    await Promise.all([first.close(), second.close()]);
  });

  it('asks to allow a denied microphone without spending the link', async () => {
    const link = await newLink();
    const page = await denyingChrome.browser.newPage();
    await page.goto(link.url);
    await page.click('#start');
    const shown = await errorShown(page);
    expect(shown.code).toBe('microphone_denied');
    expect(shown.text).toContain('Allow the microphone');
    // Back to idle: the caller may allow the microphone and press Start again.
    expect(await page.getAttribute('body', 'data-state')).toBe('idle');
    expect(await page.locator('#start').isEnabled()).toBe(true);
    await page.close();

    // The link still works, because the socket was never opened.
    const retry = await chrome.browser.newPage();
    await retry.goto(link.url);
    await retry.click('#start');
    await retry.waitForSelector('body[data-state="live"]');
    await retry.click('#stop');
    await retry.close();
  });

  it('says the connection was lost when the network goes away mid-call and stays away', async () => {
    const page = await chrome.browser.newPage();
    await page.goto((await newLink()).url);
    await page.click('#start');
    await page.waitForSelector('body[data-state="live"]');
    // The TCP connections die without a WebSocket close, and the page's reconnect (with its
    // resume token) finds no network either.
    networkDown = true;
    try {
      for (const socket of tcpConnections) socket.destroy();
      expect((await errorShown(page)).code).toBe('connection_lost');
      expect(await page.getAttribute('body', 'data-state')).toBe('failed');
    } finally {
      networkDown = false;
    }
    await page.close();
  });

  it('says the agent could not continue when the call ends for a model failure', async () => {
    const page = await chrome.browser.newPage();
    await page.goto((await newLink({ scenario: 'model_down' })).url);
    await page.click('#start');
    expect((await errorShown(page)).code).toBe('model_error');
    expect(await page.getAttribute('body', 'data-state')).toBe('failed');
    await page.close();
  });
});

describe('embedding', () => {
  it('runs a call inside another site’s iframe that allows the microphone', async () => {
    const link = await newLink();
    // "localhost" is another origin than the media service's "127.0.0.1": a real third-party embed.
    const embedder = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>Acme</title>
<iframe id="call" src="${link.url}" allow="microphone; autoplay" style="width:420px;height:560px;border:0"></iframe>`);
    });
    embedder.listen(0, '127.0.0.1');
    await once(embedder, 'listening');
    const page = await chrome.browser.newPage();
    try {
      await page.goto(`http://localhost:${(embedder.address() as AddressInfo).port}/`);
      const frame = page.frameLocator('#call');
      await frame.locator('#start').click();
      await frame.locator('body[data-state="live"]').waitFor();
      await frame.locator('#stop').click();
      await frame.locator('body[data-state="ended"]').waitFor();
    } finally {
      await page.close();
      embedder.close();
    }
  });
});
