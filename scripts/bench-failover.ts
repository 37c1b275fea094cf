/**
 * `npm run bench:failover`: N live Twilio calls spread over two media-service processes behind a
 * TCP load balancer, then one process is killed with SIGKILL. Each of its calls follows its
 * `<Connect action>` (a signed request to the stream-ended webhook), opens the new stream through
 * the balancer and lands on the survivor. Prints the share of the killed task's calls that
 * resumed and the gap each caller heard: from the kill to the first agent audio on the new stream
 * (the echo realtime server answers every caller frame, so audio flows as soon as the call runs).
 *
 * Then the same for Asterisk per-call mode (scripts/lib/bench-failover-asterisk.ts): the killed
 * task's callers are re-connected by Asterisk through the balancer and taken over by the survivor.
 *
 *   npm run bench:failover -- [--calls 50] [--max-minutes 5] [--transport all|twilio|asterisk]
 *
 * A transport (`TRANSPORTS`) says how its provider places a call and how it reconnects one whose
 * media connection died; `all` runs Twilio, then Asterisk per-call mode.
 *
 * Everything runs on loopback: DynamoDB Local, the SQS emulator, the API gateway, an echo model.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAgent } from '#shared/data/agents.ts';
import { getCallOwner } from '#shared/data/call-owners.ts';
import { getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { createTenant } from '#shared/data/tenants.ts';
import { TWILIO_VOICE_PATH } from '#shared/http/webhook-routes.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { connectTwilioMedia, type TwilioMediaClient } from '../fakes/twilio/media-client.ts';
import {
  followConnectAction,
  newCallSid,
  parseStreamTwiml,
  sendTwilioWebhook,
  type TwilioWebhookTarget,
  voiceParams,
} from '../fakes/twilio/webhooks.ts';
import { startControlPlane } from '../infra/local/control-plane.ts';
import { generateLocalSecrets } from '../infra/local/local-secrets.ts';
import { type MediaProcess, startMediaProcess } from '../test/media-service/media-process.ts';
import { startTcpBalancer } from '../test/media-service/tcp-balancer.ts';
import { quantile } from './lib/bench-calls.ts';
import { benchAsteriskFailover } from './lib/bench-failover-asterisk.ts';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '50' },
    'max-minutes': { type: 'string', default: '5' },
    transport: { type: 'string', default: 'all' },
  },
});
const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CALLS = Math.max(2, Number(args.calls));
const NUMBER = '+15005550177';
const CALLER = '+15005550178';
/** A resume that has not produced audio by then counts as failed. */
const RESUME_TIMEOUT_MS = 15_000;
const FRAME = Buffer.alloc(160, 0x55);
const print = (line = '') => process.stdout.write(`${line}\n`);

interface BenchCall {
  callId: string;
  callSid: string;
  action: string;
  client: TwilioMediaClient;
  firstAudio: Promise<number>;
  taskId?: string;
}

/** Opens a stream like Twilio does and resolves `firstAudio` at the first agent audio frame. */
async function openStream(url: string, parameters: Record<string, string>, callSid: string) {
  let heard: (at: number) => void = () => undefined;
  const firstAudio = new Promise<number>((resolve) => {
    heard = resolve;
  });
  const client = await connectTwilioMedia(url, {
    customParameters: parameters,
    callSid,
    playback: 'instant',
    record: false,
    onMedia: () => heard(performance.now()),
  });
  client.start();
  return { client, firstAudio };
}

/** The echo model in its own process, so its work does not slow this one (Twilio's side). */
async function startEcho() {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(rootDir, 'fakes/realtime/echo-server.ts')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line')) as [
    string,
  ];
  return { url: (JSON.parse(line) as { url: string }).url, close: async () => void child.kill('SIGTERM') };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref()),
  ]);

/** What one resumed call measured, each from the kill (ms). */
interface ResumeOutcome {
  /** The provider side noticed the media connection closed. */
  detectedMs: number;
  /** The provider got its instructions to reconnect (Twilio: the action webhook's TwiML). */
  answeredMs?: number;
  /** The new media connection was open. */
  reconnectedMs?: number;
  /** The first agent audio on it; undefined when the call was not resumed in time. */
  gapMs?: number;
}

interface BenchContext {
  target: TwilioWebhookTarget;
}

/** How one provider places a call and reconnects it after its media task died. */
interface FailoverTransport {
  place(ctx: BenchContext): Promise<BenchCall>;
  resume(ctx: BenchContext, call: BenchCall, killedAt: number): Promise<ResumeOutcome>;
}

/**
 * Twilio: the voice webhook's `<Connect><Stream>`; when the stream ends, Twilio requests the
 * `<Connect action>` URL (only that: it does not retry the stream by itself) and follows the
 * TwiML it gets, here a new stream carrying a resume token.
 */
const twilioTransport: FailoverTransport = {
  async place({ target }) {
    const callSid = newCallSid();
    const voice = await sendTwilioWebhook(
      target,
      TWILIO_VOICE_PATH,
      voiceParams({ callSid, from: CALLER, to: NUMBER }),
    );
    const stream = parseStreamTwiml(await voice.text());
    const opened = await openStream(stream.url as string, stream.parameters, callSid);
    return {
      callId: stream.parameters.callId as string,
      callSid,
      action: stream.action as string,
      ...opened,
    };
  },
  async resume({ target }, call, killedAt) {
    await call.client.closed;
    const detectedMs = performance.now() - killedAt;
    const action = await followConnectAction(target, call.action, {
      callSid: call.callSid,
      from: CALLER,
      to: NUMBER,
    });
    const answeredMs = performance.now() - killedAt;
    const stream = parseStreamTwiml(action.twiml);
    if (!stream.parameters.resume) return { detectedMs, answeredMs };
    const reopened = await openStream(stream.url as string, stream.parameters, call.callSid);
    const reconnectedMs = performance.now() - killedAt;
    call.client = reopened.client;
    const heardAt = await within(reopened.firstAudio, RESUME_TIMEOUT_MS);
    return {
      detectedMs,
      answeredMs,
      reconnectedMs,
      gapMs: heardAt === undefined ? undefined : heardAt - killedAt,
    };
  },
};

const TRANSPORTS: Record<string, FailoverTransport> = { twilio: twilioTransport };

async function main(): Promise<void> {
  // `all` and `asterisk` start with (or only run) the Asterisk part below; `all` measures Twilio first.
  const transport =
    TRANSPORTS[
      args.transport === 'all' || args.transport === 'asterisk' ? 'twilio' : (args.transport as string)
    ];
  if (!transport)
    throw new Error(`unknown --transport ${args.transport}; one of ${Object.keys(TRANSPORTS).join(', ')}`);
  const abort = setTimeout(() => {
    process.stderr.write('bench:failover: time limit reached, stopping\n');
    process.exit(2);
  }, Number(args['max-minutes']) * 60_000);
  abort.unref();
  const secrets = generateLocalSecrets();
  const balancer = await startTcpBalancer();
  const echo = await startEcho();
  print('Starting DynamoDB Local, SQS, the API gateway, an echo model and two media tasks (loopback only)…');
  const plane = await startControlPlane({
    rootDir,
    logger: createLogger({ level: 'error' }),
    namePrefix: `failover${Date.now().toString(36)}`,
    startPollers: false,
    env: { ...secrets, LOG_LEVEL: 'error', PUBLIC_MEDIA_URL: balancer.url },
  });
  const tasks: MediaProcess[] = [];
  try {
    const db = dbFromEnv();
    const tenant = await createTenant(db, {
      name: 'Failover benchmark',
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
    const taskEnv = {
      ...plane.env,
      ...secrets,
      TWILIO_ACCOUNT_SID: '',
      OPENAI_API_KEY: 'bench-local',
      OPENAI_REALTIME_URL: echo.url,
      MEDIA_MODEL_POOL_SIZE: '0',
      MEDIA_MAX_CALLS: String(CALLS * 2),
    };
    const asterisk = () =>
      benchAsteriskFailover({ db, tenantId: tenant.id, agentId: agent.id, calls: CALLS, taskEnv, print });
    if (args.transport === 'asterisk') {
      await asterisk();
      return;
    }
    tasks.push(...(await Promise.all([startMediaProcess(taskEnv), startMediaProcess(taskEnv)])));
    balancer.setBackends(tasks.map((t) => t.port));
    await balancer.waitForHealthy(tasks.map((t) => t.port));
    const target: TwilioWebhookTarget = {
      apiUrl: plane.apiUrl,
      publicUrl: plane.env.PUBLIC_API_URL as string,
      authToken: secrets.TWILIO_AUTH_TOKEN,
    };

    print(`Placing ${CALLS} calls…`);
    const calls: BenchCall[] = [];
    const pacer = setInterval(() => {
      for (const call of calls) if (call.client) call.client.sendMedia(FRAME.toString('base64'));
    }, 20);
    let notPlaced = 0;
    await Promise.all(
      Array.from({ length: CALLS }, async () => {
        try {
          calls.push(await transport.place({ target }));
        } catch (error) {
          notPlaced++;
          process.stderr.write(`a call could not be placed: ${(error as Error).message}\n`);
        }
      }),
    );
    await Promise.all(calls.map((c) => c.firstAudio));
    for (const call of calls) call.taskId = (await getCallOwner(db, call.callId))?.taskId;
    const victim = tasks[0] as MediaProcess;
    const victims = calls.filter((c) => c.taskId === victim.taskId);
    const [load1] = loadavg();
    print(
      `All calls flowing: ${victims.length} on the task to kill, ${calls.length - victims.length} on the other.`,
    );

    const killedAt = performance.now();
    victim.child.kill('SIGKILL');
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const outcomes = await Promise.all(victims.map((call) => transport.resume({ target }, call, killedAt)));
    loopDelay.disable();
    clearInterval(pacer);
    const sorted = (values: (number | undefined)[]) =>
      Float64Array.from(values.filter((v): v is number => v !== undefined)).sort();
    const gaps = sorted(outcomes.map((o) => o.gapMs));
    const detected = sorted(outcomes.map((o) => o.detectedMs));
    const between = (from: keyof ResumeOutcome, to: keyof ResumeOutcome) =>
      sorted(
        outcomes.map((o) =>
          o[from] === undefined || o[to] === undefined ? undefined : (o[to] as number) - (o[from] as number),
        ),
      );
    const actions = between('detectedMs', 'answeredMs');
    const connects = between('answeredMs', 'reconnectedMs');
    const streams = between('reconnectedMs', 'gapMs');
    const ms = (values: Float64Array, q: number) => `${quantile(values, q).toFixed(0)} ms`;

    for (const call of calls) await call.client.stop();
    let stored = 0;
    for (const call of victims) {
      // The survivor stores each call's end as it closes; wait for it (bounded by the time limit).
      for (;;) {
        const record = await getCall(db, tenant.id, call.callId);
        if (record?.status === 'completed') {
          if (record.telemetry?.resumes === 1) stored++;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    print();
    print(
      `calls                         ${calls.length} on two tasks (${victims.length} on the killed one; ${notPlaced} not placed)`,
    );
    print(
      `resumed                       ${gaps.length}/${victims.length} (${((100 * gaps.length) / Math.max(1, victims.length)).toFixed(1)} %)`,
    );
    print(`gap, kill → agent audio       p50 ${ms(gaps, 0.5)}   p99 ${ms(gaps, 0.99)}   max ${ms(gaps, 1)}`);
    print(`  kill → stream closed        p50 ${ms(detected, 0.5)}   p99 ${ms(detected, 0.99)}`);
    print(
      `  reconnect instructions      p50 ${ms(actions, 0.5)}   p99 ${ms(actions, 0.99)}   (Twilio: action webhook → TwiML)`,
    );
    print(`  new media connection open   p50 ${ms(connects, 0.5)}   p99 ${ms(connects, 0.99)}`);
    print(
      `  → first agent audio         p50 ${ms(streams, 0.5)}   p99 ${ms(streams, 0.99)}   (token check, takeover, history, model, echo)`,
    );
    print(
      `bench process event-loop delay during the resumes: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms (the fake Twilio and the API run here)`,
    );
    print(`stored as one resumed call    ${stored}/${victims.length}`);
    print(`target                        100 % resumed, p99 gap < 2000 ms on loopback`);
    print(
      `host                          ${cpus().length} CPUs, load average ${load1?.toFixed(1)} when the task was killed (${args.transport})`,
    );
    if (args.transport === 'all') {
      print();
      await asterisk();
    }
  } finally {
    for (const task of tasks) if (task.child.exitCode === null) task.child.kill('SIGKILL');
    await balancer.close();
    await echo.close();
    await plane.stop();
  }
}

await main();
process.exit(0);
