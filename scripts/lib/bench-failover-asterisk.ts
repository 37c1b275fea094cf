/**
 * The Asterisk per-call half of `npm run bench:failover`: N inbound calls from the fake Asterisk
 * (per-call ARI WebSockets and chan_websocket media) spread over two media-service processes in
 * `ASTERISK_MODE=per_call` behind a TCP load balancer; one process is killed with SIGKILL. Its
 * media sockets die with it (Asterisk hangs the media channels up), Asterisk re-opens each
 * caller's control connection through the balancer, and the survivor takes the call over. The gap
 * is from the kill to the first agent audio on the new media channel (the echo model answers every
 * caller frame, so audio flows as soon as the call runs again).
 */
import { performance } from 'node:perf_hooks';
import { getCallOwner } from '#shared/data/call-owners.ts';
import { getCall } from '#shared/data/calls.ts';
import type { Db } from '#shared/data/client.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { startFakeAriServer } from '../../fakes/asterisk/ari-server.ts';
import type { MediaProcess } from '../../test/media-service/media-process.ts';
import { PERCALL_APP, startPerCallFleet } from '../../test/media-service/percall-fleet.ts';
import type { TcpBalancer } from '../../test/media-service/tcp-balancer.ts';
import { quantile } from './bench-calls.ts';

const NUMBER = '+15005550179';
/** A resume that has not produced audio by then counts as failed. */
const RESUME_TIMEOUT_MS = 15_000;
const FRAME = Buffer.alloc(160, 0x55);

interface AsteriskBenchCall {
  channelId: string;
  callId: string;
  /** The media channel caller frames go to (a new one after the resume). */
  mediaId: string;
  taskId?: string;
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref()),
  ]);

export async function benchAsteriskFailover(input: {
  db: Db;
  tenantId: string;
  agentId: string;
  calls: number;
  taskEnv: Record<string, string | undefined>;
  print(line?: string): void;
}): Promise<void> {
  const { db, print } = input;
  const ari = await startFakeAriServer();
  let balancer: TcpBalancer | undefined;
  const tasks: MediaProcess[] = [];
  try {
    await createPhoneNumber(db, {
      tenantId: input.tenantId,
      agentId: input.agentId,
      number: NUMBER,
      provider: 'asterisk',
    });
    // As measured on Asterisk 22: ApplicationRegistered → StasisStart about 500 ms.
    const fleet = await startPerCallFleet(ari, { taskEnv: input.taskEnv, stasisDelayMs: 500 });
    balancer = fleet.balancer;
    tasks.push(...fleet.tasks);

    print(`Asterisk per-call: placing ${input.calls} calls…`);
    const calls: AsteriskBenchCall[] = [];
    const pacer = setInterval(() => {
      for (const call of calls) {
        const media = ari.mediaSockets.get(call.mediaId);
        if (media?.socket.readyState === 1) media.socket.send(FRAME, { binary: true });
      }
    }, 20);
    const bridgeOf = (channelId: string) =>
      [...ari.bridges.values()].find((b) => b.channels.includes(channelId));
    await Promise.all(
      Array.from({ length: input.calls }, async (_, i) => {
        const channel = ari.placeInboundCall({
          app: PERCALL_APP,
          exten: NUMBER.slice(1),
          callerNumber: `50055${String(i).padStart(5, '0')}`,
        });
        await ari.waitUntil(() => (bridgeOf(channel.id)?.channels.length ?? 0) === 2);
        const bridge = bridgeOf(channel.id)!;
        const mediaId = bridge.channels.find((id) => id !== channel.id)!;
        const call = { channelId: channel.id, callId: bridge.id.replace('ai-caller-bridge-', ''), mediaId };
        calls.push(call);
        await ari.waitUntil(() => (ari.mediaSockets.get(mediaId)?.received.length ?? 0) > 0);
      }),
    );
    for (const call of calls) call.taskId = (await getCallOwner(db, call.callId))?.taskId;
    const victim = tasks[0] as MediaProcess;
    const victims = calls.filter((c) => c.taskId === victim.taskId);
    print(
      `All calls flowing: ${victims.length} on the task to kill, ${calls.length - victims.length} on the other.`,
    );

    const killedAt = performance.now();
    victim.child.kill('SIGKILL');
    const outcomes = await Promise.all(
      victims.map(async (call) => {
        const reconnected = within(
          ari
            .waitUntil(() =>
              ari.perCallConnections.some((c) => c.reconnect && c.channelId === call.channelId),
            )
            .then(() => performance.now()),
          RESUME_TIMEOUT_MS,
        );
        const resumedMedia = `${call.mediaId}-r`;
        const newMedia = () => bridgeOf(call.channelId)?.channels.find((id) => id.startsWith(resumedMedia));
        const heardAt = await within(
          ari
            .waitUntil(() => {
              const id = newMedia();
              if (id) call.mediaId = id;
              return (id && (ari.mediaSockets.get(id)?.received.length ?? 0) > 0) || false;
            })
            .then(() => performance.now()),
          RESUME_TIMEOUT_MS,
        );
        const reconnectedAt = await reconnected;
        return {
          gapMs: heardAt === undefined ? undefined : heardAt - killedAt,
          reconnectMs: reconnectedAt === undefined ? undefined : reconnectedAt - killedAt,
        };
      }),
    );
    clearInterval(pacer);
    const sorted = (values: (number | undefined)[]) =>
      Float64Array.from(values.filter((v): v is number => v !== undefined)).sort();
    const gaps = sorted(outcomes.map((o) => o.gapMs));
    const reconnects = sorted(outcomes.map((o) => o.reconnectMs));
    const ms = (values: Float64Array, q: number) => `${quantile(values, q).toFixed(0)} ms`;

    for (const call of calls) ari.hangUp(call.channelId);
    let stored = 0;
    for (const call of victims) {
      // The survivor stores each call's end as it closes; wait for it (bounded by the time limit).
      for (;;) {
        const record = await getCall(db, input.tenantId, call.callId);
        if (record?.status === 'completed') {
          if (record.telemetry?.resumes === 1) stored++;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    print();
    print(`asterisk per-call calls       ${calls.length} on two tasks (${victims.length} on the killed one)`);
    print(
      `resumed                       ${gaps.length}/${victims.length} (${((100 * gaps.length) / Math.max(1, victims.length)).toFixed(1)} %)`,
    );
    print(`gap, kill → agent audio       p50 ${ms(gaps, 0.5)}   p99 ${ms(gaps, 0.99)}   max ${ms(gaps, 1)}`);
    print(`  kill → control reconnected  p50 ${ms(reconnects, 0.5)}   p99 ${ms(reconnects, 0.99)}`);
    print(`  (then the takeover, ~500 ms until the new media channel's connection registers, model)`);
    print(`stored as one resumed call    ${stored}/${victims.length}`);
  } finally {
    for (const task of tasks) if (task.child.exitCode === null) task.child.kill('SIGKILL');
    await balancer?.close();
    await ari.close();
  }
}
