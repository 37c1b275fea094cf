import { afterAll, afterEach, beforeAll } from 'vitest';
import { createCall, findCallByProviderId } from '#shared/data/calls.ts';
import { newId } from '#shared/ids/ids.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { MediaCommand } from '#shared/queues/contracts.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import {
  type AmdOutcome,
  type FakeAriServer,
  type FakeChannel,
  type OriginateOutcome,
  startFakeAriServer,
} from '../../fakes/asterisk/ari-server.ts';
import {
  type PerCallTransport,
  startPerCallTransport,
} from '../../media-service/src/asterisk-percall/percall-transport.ts';
import type { MediaService } from '../../media-service/src/media-service.ts';
import type { LeaseTiming } from '../../media-service/src/resume/task-heartbeat.ts';
import type { CallSession } from '../../media-service/src/session/call-session.ts';
import { type MediaHarness, startMediaHarness } from './twilio-test-harness.ts';

/**
 * Test wiring for Asterisk per-call mode (test-only): the media harness, an Asterisk number, and
 * per test a fake ARI server in per-call mode with one or more media services (tasks) it opens its
 * per-call connections to. `pick` decides which task each new connection lands on, as a load
 * balancer would.
 */
export const APP = 'ai-caller';
export const NUMBER = '+15550009999';
export const PERCALL_USER = 'asterisk';
export const PERCALL_PASSWORD = 'per-call-s3cret';

export interface Task {
  service: MediaService;
  transport: PerCallTransport;
  baseUrl: string;
  url: string;
}

export function usePerCallHarness() {
  let harness: MediaHarness | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    harness = await startMediaHarness();
    await createPhoneNumber(harness.db, {
      tenantId: harness.tenantId,
      number: NUMBER,
      agentId: harness.agentId,
      provider: 'asterisk',
    });
  }, 60_000);
  afterAll(() => harness?.stop());
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const media = () => {
    if (!harness) throw new Error('harness not started');
    return harness;
  };

  async function setup(
    options: {
      tasks?: number;
      pick?: (channel: FakeChannel, attempt: number) => number;
      stasisDelayMs?: number;
      unclaimedAfterMs?: number;
      percallPassword?: string;
      originate?: (endpoint: string) => OriginateOutcome;
      /** What the dialplan's AMD() concludes per dialed endpoint (outbound calls with detection). */
      amdOutcome?: (endpoint: string) => AmdOutcome;
      /** Call resume on (as in production); off keeps the "hang up an orphaned call" behaviour. */
      resume?: boolean;
      /** Heartbeat timing (a short lease lets a test see a dead owner quickly). */
      leaseTiming?: LeaseTiming;
      /** The services' logger (a test can wait for a log line). */
      logger?: Logger;
    } = {},
  ) {
    const ari: FakeAriServer = await startFakeAriServer({
      originateOutcome: options.originate,
      amdOutcome: options.amdOutcome,
    });
    cleanups.push(() => ari.close());
    const tasks: Task[] = [];
    for (let i = 0; i < (options.tasks ?? 1); i++) {
      // The service runs without its own Asterisk control and queue consumer: the test drives both.
      const { service, baseUrl } = await media().startService(
        { ARI_PASSWORD: ari.password, ASTERISK_PERCALL_PASSWORD: PERCALL_PASSWORD },
        {
          goodbyeTimeoutMs: 100,
          queueUrls: { ...queueUrlsFromEnv(), mediaCommands: undefined },
          ...(options.leaseTiming ? { leaseTiming: options.leaseTiming } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        },
      );
      const env = {
        ...service.sessionDeps.env,
        ASTERISK_MODE: 'per_call' as const,
        ARI_URL: ari.url,
        ARI_USERNAME: ari.username,
        ARI_APP: APP,
        ASTERISK_PERCALL_USERNAME: PERCALL_USER,
      };
      const transport = await startPerCallTransport(
        { ...service.sessionDeps, env },
        {
          routes: service.routes,
          reconnect: { initialMs: 20, maxMs: 100 },
          // The production wait unless a test is about unclaimed connections: a short one here
          // turns a StasisStart delayed by a loaded machine into a "reconnect" and drops the call.
          unclaimedAfterMs: options.unclaimedAfterMs,
          resume: options.resume,
        },
      );
      await transport.ready;
      cleanups.push(() => transport.stop());
      tasks.push({ service, transport, baseUrl, url: `${baseUrl.replace(/^http/, 'ws')}/asterisk/ari` });
    }
    ari.enablePerCall({
      app: APP,
      targets: tasks.map((t) => t.url),
      username: PERCALL_USER,
      password: options.percallPassword ?? PERCALL_PASSWORD,
      pick: options.pick,
      stasisDelayMs: options.stasisDelayMs ?? 5,
      closeDelayMs: 20,
    });
    return { ari, tasks };
  }

  /** Places an inbound call (to `exten`, NUMBER's by default) and waits until its session on some task is live and greeting. */
  async function inboundCall(s: PerCallSetup, callerNumber = '5557654321', exten = NUMBER.slice(1)) {
    const h = media();
    const before = h.realtime.connections.length;
    const channel = s.ari.placeInboundCall({ app: APP, exten, callerNumber });
    const model = await h.realtime.nextConfigured(before);
    await model.waitFor('response.create');
    const call = await findCallByProviderId(h.db, 'asterisk', channel.id);
    if (!call) throw new Error('no call record');
    const owner = s.tasks.find((t) => t.service.registry.get(call.id));
    if (!owner) throw new Error('no task owns the call');
    const session = owner.service.registry.get(call.id) as CallSession;
    const mediaChannelId = `ai-caller-media-${call.id}`;
    await s.ari.waitUntil(() => s.ari.bridges.get(`ai-caller-bridge-${call.id}`)?.channels.length === 2);
    return { channel, call, model, session, owner, mediaChannelId };
  }

  /** A queued outbound Asterisk call to `to` and the `call.originate` command that dials it. */
  async function outboundCall(to: string, options: { agentId?: string; machineDetection?: boolean } = {}) {
    const h = media();
    const { call } = await createCall(
      h.db,
      {
        tenantId: h.tenantId,
        agentId: options.agentId ?? h.agentId,
        direction: 'outbound',
        provider: 'asterisk',
        from: NUMBER,
        to,
        status: 'queued',
        machineDetection: options.machineDetection ? {} : undefined,
      },
      { maxConcurrentCalls: 20 },
    );
    const command: Extract<MediaCommand, { type: 'call.originate' }> = {
      schemaVersion: 1,
      eventId: newId('event'),
      occurredAt: new Date().toISOString(),
      type: 'call.originate',
      tenantId: call.tenantId,
      callId: call.id,
      agentId: call.agentId,
      to: call.to,
      from: call.from,
    };
    return { call, command };
  }

  return { media, setup, inboundCall, outboundCall };
}

export type PerCallSetup = Awaited<ReturnType<ReturnType<typeof usePerCallHarness>['setup']>>;
