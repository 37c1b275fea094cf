/**
 * `npm run bench:media:rtp` — the RTP mode of the media benchmark: N concurrent Asterisk-style
 * calls on loopback against the production RTP path (port pool, RFC 3550 codec, 20 ms pacer, one
 * UDP socket per call) running in a child process, so its CPU and memory are measured alone.
 *
 * Each call's peer (this process) sends 20 ms μ-law packets like Asterisk does; the worker
 * pushes 800 ms of agent audio into each call's pacer every second, as a model does, faster than
 * real time. Reported per rung: pacer jitter (|inter-arrival − 20 ms| within a talkspurt,
 * p50/p99), added latency (agent audio handed to the call → its first packet arriving at the peer,
 * p50/p99), loss in both directions, worker CPU (% of one core, and per call) and RSS per call.
 * Options: `--calls 1,10,50,100` `--seconds 5`.
 */
import { fork } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { RtpLeg } from '../media-service/src/asterisk/rtp-leg.ts';
import { buildRtp, parseRtp } from '../media-service/src/asterisk/rtp-packet.ts';
import { type RtpPortLease, RtpPortPool } from '../media-service/src/asterisk/rtp-port-pool.ts';

type WorkerMessage =
  | { type: 'ready'; ports: number[]; rssBeforeKb: number; rssAfterKb: number }
  | {
      type: 'report';
      cpuMs: number;
      wallMs: number;
      rssKb: number;
      framesDropped: number;
      callerPackets: number;
      pushedFrames: number;
    };

const FRAME_MS = 20;
const BURST_FRAMES = 40;
const BURST_PERIOD_MS = 1_000;

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

// ---------------------------------------------------------------- worker (the code under test)

/** Wall-clock time both processes agree on, with sub-millisecond resolution. */
const epochMs = () => performance.timeOrigin + performance.now();

/**
 * The code under test. Each call receives the peer's 20 ms caller packets (counted) and, like a
 * model answering faster than real time, gets 800 ms of agent audio pushed at once every second;
 * the pacer must turn each burst into one steady 20 ms talkspurt. Every frame carries its push
 * time, so the peer can measure how long the media path held the first frame of a talkspurt.
 */
async function worker(calls: number, peerPort: number): Promise<void> {
  const rssBeforeKb = process.memoryUsage().rss / 1024;
  const pool = new RtpPortPool({ host: '127.0.0.1', min: 30000, max: 30000 + calls * 4 });
  const leases: RtpPortLease[] = [];
  const legs: RtpLeg[] = [];
  let callerPackets = 0;
  let pushedFrames = 0;
  for (let i = 0; i < calls; i++) {
    const lease = await pool.acquire();
    leases.push(lease);
    legs.push(
      new RtpLeg({
        lease,
        remote: { address: '127.0.0.1', port: peerPort },
        onAudio: () => {
          callerPackets++;
        },
        onPlayed: () => undefined,
      }),
    );
  }
  const rssAfterKb = process.memoryUsage().rss / 1024;
  const burst = (leg: RtpLeg, index: number) => {
    const audio = Buffer.alloc(160 * BURST_FRAMES, 0xff);
    const pushedAt = epochMs();
    for (let f = 0; f < BURST_FRAMES; f++) {
      audio.writeDoubleBE(pushedAt, f * 160);
      audio.writeUInt16BE(f, f * 160 + 8);
    }
    leg.play(audio, `item_${index}`);
    pushedFrames += BURST_FRAMES;
  };
  const timers: NodeJS.Timeout[] = [];
  let cpuStart = process.cpuUsage();
  let wallStart = performance.now();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'start') {
      cpuStart = process.cpuUsage();
      wallStart = performance.now();
      callerPackets = 0;
      pushedFrames = 0;
      // Bursts staggered across calls, as real calls are.
      legs.forEach((leg, i) => {
        let index = 0;
        const first = setTimeout(
          () => {
            burst(leg, index++);
            timers.push(setInterval(() => burst(leg, index++), BURST_PERIOD_MS));
          },
          (i * BURST_PERIOD_MS) / calls,
        );
        timers.push(first);
      });
    }
    if (message.type === 'report') {
      for (const timer of timers) clearTimeout(timer);
      const cpu = process.cpuUsage(cpuStart);
      process.send?.({
        type: 'report',
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs: performance.now() - wallStart,
        rssKb: process.memoryUsage().rss / 1024,
        framesDropped: legs.reduce((sum, leg) => sum + leg.stats.framesDropped, 0),
        callerPackets,
        pushedFrames,
      } satisfies WorkerMessage);
    }
    if (message.type === 'stop') {
      for (const leg of legs) leg.close();
      for (const lease of leases) lease.release();
      process.exit(0);
    }
  });
  process.send?.({
    type: 'ready',
    ports: leases.map((l) => l.port),
    rssBeforeKb,
    rssAfterKb,
  } satisfies WorkerMessage);
}

// ---------------------------------------------------------------- driver (Asterisk's side)

interface RungResult {
  calls: number;
  jitterP50: number;
  jitterP99: number;
  latencyP50: number;
  latencyP99: number;
  lossPercent: number;
  cpuPercent: number;
  cpuPerCallPercent: number;
  rssPerCallKb: number;
  framesDropped: number;
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function runRung(calls: number, seconds: number): Promise<RungResult> {
  // One socket plays Asterisk for every call: 50 packets/s per call land on it, so give it a
  // receive buffer that rides out event-loop pauses instead of counting the bench's drops as loss.
  const peer: Socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', () => resolve()));
  const peerPort = peer.address().port;
  const child = fork(fileURLToPath(import.meta.url), ['--worker', String(calls), String(peerPort)], {
    execArgv: ['--disable-warning=ExperimentalWarning'],
  });
  const next = <T extends WorkerMessage['type']>(type: T) =>
    new Promise<Extract<WorkerMessage, { type: T }>>((resolve) => {
      const onMessage = (message: WorkerMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message as Extract<WorkerMessage, { type: T }>);
      };
      child.on('message', onMessage);
    });
  const ready = await next('ready');

  // Per call: arrival of the previous packet (for jitter) and packets received back.
  const byPort = new Map<number, { lastArrival?: number; lastIndex?: number }>();
  for (const port of ready.ports) byPort.set(port, {});
  const jitter: number[] = [];
  const firstFrameLatency: number[] = [];
  let agentFramesReceived = 0;
  let measuring = false;
  peer.on('message', (datagram, from) => {
    const now = performance.now();
    const call = byPort.get(from.port);
    const packet = parseRtp(datagram);
    if (!call || !packet || packet.payload.length !== 160) return;
    if (measuring) {
      agentFramesReceived++;
      // The first frame of a talkspurt: how long the media path held audio the model already sent.
      const index = packet.payload.readUInt16BE(8);
      if (index === 0) firstFrameLatency.push(epochMs() - packet.payload.readDoubleBE(0));
      else if (call.lastArrival !== undefined && call.lastIndex === index - 1) {
        jitter.push(Math.abs(now - call.lastArrival - FRAME_MS));
      }
      call.lastIndex = index;
    }
    call.lastArrival = now;
  });

  let sequence = 0;
  let callerSent = 0;
  let countingCaller = false;
  const start = performance.now();
  let tick = 0;
  let timer: NodeJS.Timeout | undefined;
  const payload = Buffer.alloc(160, 0xff);
  const sendTick = () => {
    sequence = (sequence + 1) & 0xffff;
    const packet = buildRtp(
      { marker: false, payloadType: 0, sequence, timestamp: sequence * 160, ssrc: 1 },
      payload,
    );
    for (const port of byPort.keys()) {
      peer.send(packet, port, '127.0.0.1');
      if (countingCaller) callerSent++;
    }
    tick++;
    timer = setTimeout(sendTick, Math.max(0, start + tick * FRAME_MS - performance.now()));
  };
  sendTick();
  await new Promise((resolve) => setTimeout(resolve, 500));
  measuring = true;
  child.send({ type: 'start' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  countingCaller = true;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  countingCaller = false;
  child.send({ type: 'report' });
  const report = await next('report');
  // Let the last bursts play out before counting what arrived.
  await new Promise((resolve) => setTimeout(resolve, BURST_FRAMES * FRAME_MS + 200));
  measuring = false;
  clearTimeout(timer);
  child.send({ type: 'stop' });
  peer.close();
  const cpuPercent = (report.cpuMs / report.wallMs) * 100;
  return {
    calls,
    jitterP50: percentile(jitter, 50),
    jitterP99: percentile(jitter, 99),
    latencyP50: percentile(firstFrameLatency, 50),
    latencyP99: percentile(firstFrameLatency, 99),
    lossPercent:
      report.pushedFrames + callerSent === 0
        ? 0
        : ((Math.max(0, report.pushedFrames - agentFramesReceived) +
            Math.max(0, callerSent - report.callerPackets)) /
            (report.pushedFrames + callerSent)) *
          100,
    cpuPercent,
    cpuPerCallPercent: cpuPercent / calls,
    rssPerCallKb: (ready.rssAfterKb - ready.rssBeforeKb) / calls,
    framesDropped: report.framesDropped,
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--worker')) {
    const index = process.argv.indexOf('--worker');
    await worker(Number(process.argv[index + 1]), Number(process.argv[index + 2]));
    return;
  }
  const ladder = arg('calls', '1,10,50,100').split(',').map(Number);
  const seconds = Number(arg('seconds', '5'));
  const print = (line = '') => process.stdout.write(`${line}\n`);
  print(
    `RTP media benchmark: ${ladder.join(', ')} concurrent calls, ${seconds} s each, loopback, μ-law 20 ms`,
  );
  const results: RungResult[] = [];
  for (const calls of ladder) {
    print(`… ${calls} call(s)`);
    results.push(await runRung(calls, seconds));
  }
  print();
  print(
    'calls | jitter p50 / p99 (ms) | added latency p50 / p99 (ms) | loss % | CPU % (1 core) | CPU %/call | RSS/call KB',
  );
  for (const r of results) {
    print(
      `${String(r.calls).padStart(5)} | ${r.jitterP50.toFixed(2)} / ${r.jitterP99.toFixed(2)} | ` +
        `${r.latencyP50.toFixed(2)} / ${r.latencyP99.toFixed(2)} | ${r.lossPercent.toFixed(2)} | ` +
        `${r.cpuPercent.toFixed(1)} | ${r.cpuPerCallPercent.toFixed(3)} | ${r.rssPerCallKb.toFixed(0)}` +
        (r.framesDropped > 0 ? ` (pacer dropped ${r.framesDropped} frames)` : ''),
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
