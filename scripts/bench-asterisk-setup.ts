/**
 * `npm run bench:asterisk-setup` — how long an Asterisk call takes to set up, per mode: from the
 * caller entering `Stasis()` to the caller and the media channel bridged with media flowing, on
 * loopback against the fake ARI server (`fakes/asterisk`). Modes: classic ARI with RTP, classic ARI
 * with chan_websocket media, per-call ARI WebSockets (media channel's connection on the same task,
 * and on another task, where the owner learns it joined only by retrying addChannel).
 *
 * The fake answers at once, so the figures are this service's own cost (REST round trips, media
 * socket, the 422 retry); a real Asterisk adds its own time, notably ~500 ms between a per-call
 * connection's ApplicationRegistered and StasisStart (recorded on 22.10.1). The call session and
 * the model are left out (the same in every mode). Options: `--calls 20`.
 */
import type { AddressInfo } from 'node:net';
import { createSocket } from 'node:dgram';
import { WebSocketServer } from 'ws';
import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Call } from '#shared/calls/call-types.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { startFakeAriServer } from '../fakes/asterisk/ari-server.ts';
import { startRtpPeer } from '../fakes/asterisk/rtp-peer.ts';
import { connectAri } from '../media-service/src/asterisk/ari-connection.ts';
import type { AriChannel, AriEvent } from '../media-service/src/asterisk/ari-events.ts';
import type { AriRest } from '../media-service/src/asterisk/ari-rest.ts';
import { AsteriskCalls, type AsteriskDeps } from '../media-service/src/asterisk/asterisk-calls.ts';
import { RtpPortPool } from '../media-service/src/asterisk/rtp-port-pool.ts';
import { PerCallConnection } from '../media-service/src/asterisk-percall/percall-connection.ts';
import type { SessionDeps } from '../media-service/src/session/session-deps.ts';

type Mode = 'classic-rtp' | 'classic-websocket' | 'per-call' | 'per-call-media-elsewhere';
const APP = 'bench';
const logger = createLogger({ level: 'error' });

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

async function freeUdpPort(): Promise<number> {
  const probe = createSocket('udp4');
  const port = await new Promise<number>((resolve) =>
    probe.bind(0, '127.0.0.1', () => resolve(probe.address().port)),
  );
  probe.close();
  return port;
}

async function runMode(mode: Mode, calls: number): Promise<number[]> {
  const peer = await startRtpPeer();
  const ari = await startFakeAriServer({ rtpPeerFor: () => ({ address: peer.address, port: peer.port }) });
  const rtpStart = await freeUdpPort();
  const deps = (rest: AriRest): AsteriskDeps => ({
    session: {} as SessionDeps,
    startSession: () => undefined,
    rest,
    amdContext: 'ai-caller-amd',
    ports:
      mode === 'classic-rtp'
        ? new RtpPortPool({ host: '127.0.0.1', min: rtpStart, max: rtpStart + 50 })
        : undefined,
    webSocketMedia:
      mode === 'classic-rtp'
        ? undefined
        : { ariUrl: ari.url, username: ari.username, password: ari.password },
    app: APP,
    rtpHost: '127.0.0.1',
    endpointTemplate: 'PJSIP/{to}@trunk',
    transferContext: `${APP}-transfer`,
    logger,
  });
  const timings: number[] = [];
  let placedAt = 0;
  let done: () => void = () => undefined;
  const slot = (callId: string) => ({ callId, bind: () => undefined, release: () => undefined });
  const setUp = async (calls: AsteriskCalls, caller: AriChannel, rest?: AriRest) => {
    const id = `bench-${timings.length}-${Date.now()}`;
    const lease = await deps(rest ?? ({} as AriRest)).ports?.acquire();
    const transport = await calls.connect({
      call: { id } as Call,
      agent: {} as Agent,
      caller,
      lease,
      slot: slot(id),
      answer: true,
      rest,
    });
    timings.push(performance.now() - placedAt);
    transport.close('completed');
    await transport.released;
    lease?.release();
    done();
  };

  let stop: () => Promise<void>;
  if (mode.startsWith('classic')) {
    let calls: AsteriskCalls | undefined;
    const connection = connectAri({
      url: ari.url,
      username: ari.username,
      password: ari.password,
      app: APP,
      logger,
      onEvent: (event: AriEvent) => {
        if (!calls || calls.route(event)) return;
        if (event.type === 'StasisStart' && event.args[0] === 'inbound') void setUp(calls, event.channel);
      },
    });
    calls = new AsteriskCalls(deps(connection.rest));
    await connection.ready;
    stop = () => connection.stop();
  } else {
    const calls = new AsteriskCalls(deps({} as AriRest));
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'ari' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/asterisk/ari`;
    wss.on('connection', (ws) => {
      const connection = new PerCallConnection(ws, { logger });
      connection.onEvent((event) => {
        if (event.type !== 'StasisStart') {
          calls.route(event);
          return;
        }
        // Another task would take the media channel's connection: this one never sees its StasisStart.
        if (event.channel.name.startsWith('WebSocket/')) {
          if (mode === 'per-call') calls.route(event);
          return;
        }
        void setUp(calls, event.channel, connection.rest);
      });
    });
    ari.enablePerCall({
      app: APP,
      targets: [url],
      username: 'u',
      password: 'p',
      stasisDelayMs: 0,
      closeDelayMs: 0,
    });
    stop = async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
    };
  }

  for (let i = 0; i < calls; i++) {
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    placedAt = performance.now();
    const caller = ari.placeInboundCall({ app: APP, exten: '15550009999', callerNumber: '5557654321' });
    await finished;
    ari.hangUp(caller.id);
    await ari.waitUntil(() => ari.channels.size === 0);
  }
  await stop();
  await ari.close();
  peer.close();
  return timings;
}

async function main() {
  const calls = Number(arg('calls', '20'));
  console.log(
    `Asterisk call set-up on loopback, ${calls} calls per mode (caller enters Stasis → bridged with media)`,
  );
  console.log('mode                        p50 ms   p95 ms   max ms');
  for (const mode of ['classic-rtp', 'classic-websocket', 'per-call', 'per-call-media-elsewhere'] as Mode[]) {
    const timings = await runMode(mode, calls);
    const row = [percentile(timings, 50), percentile(timings, 95), Math.max(...timings)].map((v) =>
      v.toFixed(1).padStart(8),
    );
    console.log(`${mode.padEnd(26)}${row.join(' ')}`);
  }
  console.log(
    'Real Asterisk adds ~500 ms per per-call connection (ApplicationRegistered → StasisStart, recorded on 22.10.1).',
  );
  process.exit(0);
}

void main();
