import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser/chromium.ts';
import { writeSpeechLikeWav } from './browser/speech-wav.ts';
import { freePort } from '../infra/local/ports.ts';
import { rootDir } from './platform.ts';

/**
 * What a newcomer does first, as a process: `npm start` with no key at all, on other ports, then
 * the README's "Try it in five minutes" exactly as written (a simulated inbound Twilio call and an
 * outbound `POST /v1/calls`) while Chromium places a browser call. Every call must end completed
 * with a transcript, a summary, usage and telemetry, and reach the tenant's webhook; nothing may
 * touch the default ports 3000 and 8080.
 */
type Json = Record<string, unknown>;
interface Credentials {
  apiBaseUrl: string;
  mediaBaseUrl: string;
  apiKey: string;
  adminApiKey: string;
  tenantId: string;
}

/** Relative to the repository, as the README's `require('./$C')` needs. */
const dataDir = `.local/process-test-${process.pid}`;
let platform: ChildProcess;
let output = '';
let credentials: Credentials;
const hooks: { type: string; callId?: string }[] = [];
let hookServer: Server;
/** Listeners on the default ports, to notice any example that ignores the credentials file. */
const defaultPortHits: number[] = [];
const defaultPortGuards: NetServer[] = [];

async function guardDefaultPort(port: number): Promise<void> {
  const guard = createServer((socket) => {
    defaultPortHits.push(port);
    socket.destroy();
  });
  // Taken by someone's own `npm start`: the text check below still covers the README.
  guard.once('error', () => undefined);
  guard.listen(port, '127.0.0.1');
  defaultPortGuards.push(guard);
}

const api = async (path: string, init: RequestInit = {}, key = credentials.apiKey): Promise<Json> => {
  const response = await fetch(`${credentials.apiBaseUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
  });
  return (await response.json()) as Json;
};

beforeAll(async () => {
  rmSync(join(rootDir, dataDir), { recursive: true, force: true });
  await Promise.all([guardDefaultPort(3000), guardDefaultPort(8080)]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    API_PORT: String(await freePort()),
    MEDIA_PORT: String(await freePort()),
    LOCAL_DATA_DIR: dataDir,
  };
  for (const name of [
    'OPENAI_API_KEY',
    'OPENAI_REALTIME_URL',
    'OPENAI_BASE_URL',
    'TWILIO_ACCOUNT_SID',
    'TWILIO_API_BASE_URL',
  ])
    delete env[name];
  platform = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'infra/local/start.ts'], {
    cwd: rootDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = new Promise<void>((resolve, reject) => {
    platform.stdout?.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ctrl-C stops everything')) resolve();
    });
    platform.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    platform.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
  });
  await started;
  credentials = JSON.parse(readFileSync(join(rootDir, dataDir, 'credentials.json'), 'utf8'));

  hookServer = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const event = JSON.parse(body) as { type: string; data?: { call?: { id?: string }; callId?: string } };
      hooks.push({ type: event.type, callId: event.data?.call?.id ?? event.data?.callId });
      res.writeHead(204).end();
    });
  }).listen(0, '127.0.0.1');
  await once(hookServer, 'listening');
  const hookPort = (hookServer.address() as { port: number }).port;
  await api(
    `/v1/tenants/${credentials.tenantId}`,
    { method: 'PATCH', body: JSON.stringify({ webhookUrl: `http://127.0.0.1:${hookPort}/hooks` }) },
    credentials.adminApiKey,
  );
}, 180_000);

afterAll(async () => {
  if (platform && platform.exitCode === null) {
    const exited = once(platform, 'exit');
    platform.kill('SIGINT');
    await exited;
  }
  hookServer?.close();
  for (const guard of defaultPortGuards) guard.close();
  rmSync(join(rootDir, dataDir), { recursive: true, force: true });
}, 60_000);

/** The shell blocks of the README's "Try it in five minutes", in order. */
function tryItBlocks(): string[] {
  const readme = readFileSync(join(rootDir, 'README.md'), 'utf8');
  const start = readme.indexOf('## Try it in five minutes');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

/**
 * Runs the README's commands as a user would (bash, from the repository). The only edit: they
 * read this platform's credentials file instead of `.local/credentials.json`.
 */
function runReadme(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: rootDir,
      env: {
        ...process.env,
        LOCAL_DATA_DIR: dataDir,
        PATH: `${join(rootDir, 'node_modules/.bin')}:${process.env.PATH}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A browser call on the demo page: speak, hear the answer, hang up. Returns the call id. */
async function browserCall(): Promise<string> {
  const wav = join(rootDir, dataDir, 'caller.wav');
  mkdirSync(join(rootDir, dataDir), { recursive: true });
  writeSpeechLikeWav(wav, { seconds: 1.5, silenceSeconds: 3 });
  const chromium = await launchChromium({ wavPath: wav });
  try {
    const page = await chromium.browser.newPage();
    await page.goto(`${credentials.mediaBaseUrl}/call/demo`);
    await page.click('#start');
    await page.waitForSelector('body[data-state="live"]', { timeout: 30_000 });
    await page.locator('li.caption.caller:not(.partial)').first().waitFor({ timeout: 30_000 });
    await page.locator('li.caption.agent:not(.partial)').nth(1).waitFor({ timeout: 30_000 });
    await page.click('#stop');
    const { items } = (await api('/v1/calls?limit=20')) as { items: { id: string; provider: string }[] };
    const call = items.find((c) => c.provider === 'web');
    if (!call) throw new Error('The browser call is not listed.');
    return call.id;
  } finally {
    await chromium.close();
  }
}

/** Polls until the call is completed with its summary and telemetry (the pipeline runs after it ends). */
async function finishedCall(id: string): Promise<Json> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { call } = (await api(`/v1/calls/${id}`)) as { call: Json };
    if ((call.status === 'completed' && call.summary && call.telemetry) || Date.now() > deadline) return call;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('npm start without any key, and the README followed as written', () => {
  it('says the calls talk to local stand-ins', () => {
    expect(output).toContain('Calls talk to a local stand-in agent');
    expect(output).toContain('Outbound calls (POST /v1/calls) ring a simulated phone');
    expect(output).not.toContain('ExperimentalWarning');
    expect(output).not.toMatch(/"level":"error"/);
  });

  it('places a browser, a simulated inbound and an outbound call, each completed with transcript, summary, usage and telemetry', async () => {
    const blocks = tryItBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(block).not.toMatch(/:(3000|8080)\b/);

    const [readme, webCallId] = await Promise.all([
      runReadme(blocks.join('\n').replaceAll('.local/credentials.json', `${dataDir}/credentials.json`)),
      browserCall(),
    ]);
    expect(readme).toMatchObject({ code: 0, stderr: '' });
    const inboundId = /for (call_\w+)/.exec(readme.stdout)?.[1];
    const outboundId = [...readme.stdout.matchAll(/^(call_\w+)$/gm)][0]?.[1];
    expect(inboundId).toBeDefined();
    expect(outboundId).toBeDefined();

    const calls = await Promise.all(
      [webCallId, inboundId as string, outboundId as string].map(async (id) => ({
        call: await finishedCall(id),
        transcript: (await api(`/v1/calls/${id}/transcript`)) as { items: { role: string }[] },
      })),
    );
    expect(calls.map(({ call }) => [call.provider, call.direction])).toEqual([
      ['web', 'inbound'],
      ['twilio', 'inbound'],
      ['twilio', 'outbound'],
    ]);
    for (const { call, transcript } of calls) {
      expect(call).toMatchObject({
        status: 'completed',
        summary: { summary: expect.stringContaining('stand-in') },
      });
      expect((call.usage as { responses: number }).responses).toBeGreaterThanOrEqual(2);
      expect((call.telemetry as { firstAgentAudioMs?: number }).firstAgentAudioMs).toBeGreaterThan(0);
      const roles = transcript.items.map((turn) => turn.role);
      expect(roles).toContain('caller');
      expect(roles.filter((role) => role === 'agent').length).toBeGreaterThanOrEqual(2);
    }

    // The whole pipeline: each call reached the tenant's webhook, ended and then summarized.
    const deadline = Date.now() + 30_000;
    const delivered = () =>
      calls.every(({ call }) => hooks.some((h) => h.type === 'call.summarized' && h.callId === call.id));
    while (!delivered() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
    for (const { call } of calls) {
      const types = hooks.filter((h) => h.callId === call.id).map((h) => h.type);
      expect(types).toEqual(expect.arrayContaining(['call.ended', 'call.summarized']));
    }
    expect(defaultPortHits).toEqual([]);
  }, 240_000);
});
