/**
 * `npm run bench:media`: N simulated Twilio calls through the media service and through a bare
 * passthrough bridge (the baseline), measured the same way in the same run, everything on
 * loopback. Per rung it prints the per-frame round trip (caller frame → bridge → echo realtime
 * server → bridge → caller), frames lost, the bridge process's CPU and RSS, and the CPU ratio of
 * the media service to the baseline.
 *
 *   npm run bench:media -- [--ladder 1,50,200,500] [--seconds 8] [--settle 3] [--modes passthrough,service]
 *                          [--load-workers 2] [--max-minutes 15] [--profile dir]
 *
 * Bounded: each rung runs for --seconds plus set-up; the whole run aborts after --max-minutes.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAgent } from '#shared/data/agents.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { createTenant } from '#shared/data/tenants.ts';
import { TWILIO_VOICE_PATH } from '#shared/http/webhook-routes.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { twilioSignature } from '#shared/twilio/signature.ts';
import { startControlPlane } from '../infra/local/control-plane.ts';
import { generateLocalSecrets } from '../infra/local/local-secrets.ts';
import { quantile } from './lib/bench-calls.ts';
import type { HostStats } from './lib/bench-host.ts';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    ladder: { type: 'string', default: '1,50,200,500' },
    seconds: { type: 'string', default: '8' },
    modes: { type: 'string', default: 'passthrough,service' },
    'max-minutes': { type: 'string', default: '15' },
    'load-workers': { type: 'string', default: '2' },
    settle: { type: 'string', default: '3' },
    /** Write a V8 CPU profile of each bridge process into this directory (for finding hot spots). */
    profile: { type: 'string' },
  },
});
const ladder = (args.ladder as string)
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const measureMs = Number(args.seconds) * 1000;
const modes = (args.modes as string).split(',') as ('passthrough' | 'service')[];
const loadWorkers = Math.max(1, Number(args['load-workers']));
const NUMBER = '+15005550100';
/** Time after every call is flowing before measuring starts: call start-up backlogs drain first. */
const SETTLE_MS = Number(args.settle) * 1000;
const print = (line = '') => process.stdout.write(`${line}\n`);

interface RungResult {
  mode: string;
  calls: number;
  failedCalls: number;
  framesSent: number;
  framesLost: number;
  p50: number;
  p99: number;
  max: number;
  cpuPercent: number;
  rssMb: number;
  rssPerCallKb: number;
  /** CPU of the load generator (all its processes): near 100 % per process means the rig, not the bridge, limits. */
  loadCpuPercent: number;
  /** The bridge's event-loop delay p99 over the window (ms). */
  loopDelayP99Ms: number;
}

/** Starts a child and resolves with the first JSON line it prints. */
async function startEcho(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(rootDir, 'fakes/realtime/echo-server.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line')) as [
    string,
  ];
  return { child, url: (JSON.parse(line) as { url: string }).url };
}

function hostStats(host: ChildProcess): Promise<HostStats> {
  return new Promise((resolveStats) => {
    const onMessage = (message: HostStats) => {
      if (message?.type !== 'stats') return;
      host.off('message', onMessage);
      resolveStats(message);
    };
    host.on('message', onMessage);
    host.send({ type: 'stats' });
  });
}

/** Signs and posts the voice webhook like Twilio; returns the TwiML `<Parameter>`s. */
async function admitViaWebhook(apiUrl: string, authToken: string): Promise<Record<string, string>> {
  const params = {
    CallSid: `CA${crypto.randomUUID().replaceAll('-', '')}`,
    From: '+14155550100',
    To: NUMBER,
    Direction: 'inbound',
    CallStatus: 'ringing',
  };
  const response = await fetch(`${apiUrl}${TWILIO_VOICE_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(authToken, `${apiUrl}${TWILIO_VOICE_PATH}`, params),
    },
    body: new URLSearchParams(params),
  });
  const twiml = await response.text();
  const parameters: Record<string, string> = {};
  for (const match of twiml.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) {
    parameters[match[1] as string] = (match[2] as string).replaceAll('&amp;', '&');
  }
  if (!parameters.token) throw new Error(`The voice webhook did not connect the call: ${twiml}`);
  return parameters;
}

/** Sends `message` to a child and resolves with its next message of `replyType`. */
function request<T>(child: ChildProcess, message: unknown, replyType: string): Promise<T> {
  return new Promise((resolveReply) => {
    const onMessage = (reply: { type?: string }) => {
      if (reply?.type !== replyType) return;
      child.off('message', onMessage);
      resolveReply(reply as T);
    };
    child.on('message', onMessage);
    child.send(message as object);
  });
}

const forkScript = (script: string, argv: string[], env?: Record<string, string>, profile?: string) =>
  fork(join(rootDir, script), argv, {
    env,
    execArgv: [
      '--disable-warning=ExperimentalWarning',
      ...(profile
        ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, `--cpu-prof-name=${argv[0]}-${Date.now()}.cpuprofile`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.disconnect();
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code, signal] = (await exited) as [number | null, string | null];
  if (process.env.BENCH_DEBUG) print(`child exit ${code} ${signal}`);
  clearTimeout(killTimer);
}

interface Measured {
  framesSent: number;
  framesLost: number;
  roundTripsMs: number[];
  cpuPercent: number;
}

async function runRung(
  mode: 'passthrough' | 'service',
  calls: number,
  env: Record<string, string>,
  admit: () => Promise<Record<string, string>>,
): Promise<RungResult> {
  const host = forkScript(
    'scripts/lib/bench-host.ts',
    [mode],
    { ...env, MEDIA_MAX_CALLS: String(calls + 10) },
    args.profile,
  );
  const workers = Array.from({ length: Math.min(loadWorkers, calls) }, () =>
    forkScript('scripts/lib/bench-load-worker.ts', []),
  );
  try {
    const [ready] = (await once(host, 'message')) as [{ port: number }];
    const idle = await hostStats(host);
    const parameters: Record<string, string>[] = [];
    for (let i = 0; i < calls; i += 20) {
      const batch = Math.min(20, calls - i);
      parameters.push(
        ...(await Promise.all(
          Array.from({ length: batch }, () => (mode === 'service' ? admit() : Promise.resolve({}))),
        )),
      );
    }
    const streamUrl = `ws://127.0.0.1:${ready.port}/twilio/stream`;
    const flowing = await Promise.all(
      workers.map((worker, w) =>
        request<{ failedCalls: number }>(
          worker,
          { type: 'open', streamUrl, parameters: parameters.filter((_, i) => i % workers.length === w) },
          'flowing',
        ),
      ),
    );
    await new Promise((resolveSettle) => setTimeout(resolveSettle, SETTLE_MS));
    const startEpochMs = Date.now() + 100;
    const endEpochMs = startEpochMs + measureMs;
    const measuring = workers.map((worker) =>
      request<Measured>(worker, { type: 'measure', startEpochMs, endEpochMs }, 'measured'),
    );
    await new Promise((resolveStart) => setTimeout(resolveStart, startEpochMs - Date.now()));
    const first = await hostStats(host);
    await new Promise((resolveEnd) => setTimeout(resolveEnd, endEpochMs - Date.now()));
    const last = await hostStats(host);
    const measured = await Promise.all(measuring);
    await Promise.all(workers.map((worker) => request(worker, { type: 'close' }, 'closed')));

    const sorted = Float64Array.from(measured.flatMap((m) => m.roundTripsMs)).sort();
    const cpuMicros = last.userMicros + last.systemMicros - first.userMicros - first.systemMicros;
    const framesSent = measured.reduce((sum, m) => sum + m.framesSent, 0);
    return {
      mode,
      calls,
      failedCalls: flowing.reduce((sum, f) => sum + f.failedCalls, 0),
      framesSent,
      framesLost: measured.reduce((sum, m) => sum + m.framesLost, 0),
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
      cpuPercent: (100 * cpuMicros) / (last.atMicros - first.atMicros),
      rssMb: last.rssBytes / 2 ** 20,
      // Below ~10 calls the process's own warm-up and GC swamp the per-call share.
      rssPerCallKb: calls >= 10 ? (last.rssBytes - idle.rssBytes) / 1024 / calls : Number.NaN,
      loadCpuPercent: measured.reduce((sum, m) => sum + m.cpuPercent, 0),
      loopDelayP99Ms: last.loopDelayP99Ms,
    };
  } finally {
    await Promise.all([host, ...workers].map(stopChild));
  }
}

function table(results: RungResult[]): void {
  const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
  print(
    'mode         calls  failed   frames   lost   rtt p50 ms  p99 ms   max ms   CPU %   CPU %/call  RSS MB  RSS KB/call  load CPU %  loop p99 ms',
  );
  for (const r of results) {
    print(
      `${r.mode.padEnd(12)} ${String(r.calls).padStart(5)}  ${String(r.failedCalls).padStart(6)} ${String(r.framesSent).padStart(8)} ${String(r.framesLost).padStart(6)}   ${f(r.p50).padStart(9)} ${f(r.p99).padStart(7)} ${f(r.max).padStart(8)} ${f(r.cpuPercent, 1).padStart(7)} ${f(r.cpuPercent / r.calls, 3).padStart(11)} ${f(r.rssMb, 1).padStart(7)} ${f(r.rssPerCallKb, 0).padStart(12)} ${f(r.loadCpuPercent, 0).padStart(11)} ${f(r.loopDelayP99Ms, 1).padStart(12)}`,
    );
  }
}

async function main(): Promise<void> {
  const abort = setTimeout(() => {
    process.stderr.write('bench:media: time limit reached, stopping\n');
    process.exit(2);
  }, Number(args['max-minutes']) * 60_000);
  abort.unref();
  const secrets = generateLocalSecrets();
  print('Starting DynamoDB Local, SQS, the API gateway and an echo realtime server (loopback only)…');
  const plane = await startControlPlane({
    rootDir,
    logger: createLogger({ level: 'error' }),
    namePrefix: `bench${Date.now().toString(36)}`,
    startPollers: false,
    env: { ...secrets, LOG_LEVEL: 'error' },
  });
  const echo = await startEcho();
  try {
    const db = dbFromEnv();
    const tenant = await createTenant(db, {
      name: 'Benchmark tenant',
      limits: { maxConcurrentCalls: 100_000, requestsPerSecond: 100_000 },
    });
    const agent = await createAgent(db, tenant.id, {
      name: 'Echo agent',
      instructions: 'Benchmark agent.',
      voice: 'marin',
      tools: [],
      maxDurationSeconds: 3600,
      idleTimeoutSeconds: 600,
    });
    await createPhoneNumber(db, {
      tenantId: tenant.id,
      agentId: agent.id,
      number: NUMBER,
      provider: 'twilio',
    });
    const hostEnv: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...plane.env,
      ...secrets,
      TWILIO_ACCOUNT_SID: '',
      OPENAI_API_KEY: 'bench-local',
      OPENAI_REALTIME_URL: echo.url,
      MEDIA_MODEL_POOL_SIZE: '0',
      LOG_LEVEL: 'error',
    };
    const admit = () => admitViaWebhook(plane.apiUrl, secrets.TWILIO_AUTH_TOKEN);

    const results: RungResult[] = [];
    for (const calls of ladder) {
      for (const mode of modes) {
        print(`… ${mode}, ${calls} call(s), ${measureMs / 1000} s`);
        results.push(await runRung(mode, calls, hostEnv, admit));
      }
    }
    print();
    table(results);
    print();
    for (const calls of ladder) {
      const base = results.find((r) => r.mode === 'passthrough' && r.calls === calls);
      const svc = results.find((r) => r.mode === 'service' && r.calls === calls);
      if (!base || !svc) continue;
      print(
        `${String(calls).padStart(4)} calls: media service CPU ${(svc.cpuPercent / base.cpuPercent).toFixed(2)}× the passthrough bridge; ` +
          `p99 added over the baseline ${(svc.p99 - base.p99).toFixed(2)} ms; RSS per call ${svc.rssPerCallKb.toFixed(0)} KB`,
      );
    }
  } finally {
    echo.child.kill('SIGTERM');
    await plane.stop();
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
