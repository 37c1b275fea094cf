import { createSocket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { createCall, findCallByProviderId, getActiveCallCount } from '#shared/data/calls.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { newId } from '#shared/ids/ids.ts';
import type { MediaCommand } from '#shared/queues/contracts.ts';
import { queueUrlsFromEnv, sendMediaCommand } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { type MediaHarness, startMediaHarness } from './twilio-test-harness.ts';
import {
  type AmdOutcome,
  type FakeAriServer,
  type OriginateOutcome,
  startFakeAriServer,
} from '../../fakes/asterisk/ari-server.ts';
import type { FakeRealtimeConnection } from '../../fakes/realtime/scripted-server.ts';
import { type RtpPeer, startRtpPeer } from '../../fakes/asterisk/rtp-peer.ts';
import type { CallSession } from '../../media-service/src/session/call-session.ts';
import {
  type AsteriskTransport,
  startAsteriskTransport,
} from '../../media-service/src/asterisk/asterisk-transport.ts';

/**
 * Test wiring for Asterisk call tests (test-only): the media harness (DynamoDB Local, SQS, fake
 * realtime server), an Asterisk number for its tenant, and per test a fake ARI server, an RTP peer
 * and the Asterisk transport on a media service. Call `useAsteriskHarness()` at a test file's top.
 */
export const APP = 'ai-caller';
export const NUMBER = '+15550009999';

export const pattern = (bytes: number, seed: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7 + seed) & 0xff));

/** A free UDP port range: the OS picks the start (port 0), the range follows it. */
export async function freePortRange(length: number): Promise<{ min: number; max: number }> {
  const probe = createSocket('udp4');
  const port = await new Promise<number>((resolve) =>
    probe.bind(0, '127.0.0.1', () => resolve(probe.address().port)),
  );
  probe.close();
  return { min: port, max: Math.min(65535, port + length - 1) };
}

/** Every release request of a call: each must appear exactly once, whatever ended the call. */
export function releases(ari: FakeAriServer, callId: string) {
  const count = (method: string, pathPart: string) =>
    ari.requests.filter((r) => r.method === method && r.path.includes(pathPart)).length;
  return {
    bridge: count('DELETE', `/ari/bridges/ai-caller-bridge-${callId}`),
    external: count('DELETE', `/ari/channels/ai-caller-media-${callId}`),
  };
}

export async function appendsReceived(model: FakeRealtimeConnection, bytes: number) {
  await model.waitFor('input_audio_buffer.append', () => model.receivedAudio().length >= bytes);
}

/** The ringing call was hung up on Asterisk and its record, slots and port are all released. */
export async function expectEndedByShutdown(
  h: MediaHarness,
  ari: FakeAriServer,
  callId: string,
  activeBefore: number,
) {
  const channelId = `ai-caller-out-${callId}`;
  const hangup = ari.requests.find((r) => r.method === 'DELETE' && r.path === `/ari/channels/${channelId}`);
  expect(hangup?.status).toBe(204);
  expect(ari.channels.has(channelId)).toBe(false);
  expect(await h.callRecord(callId)).toMatchObject({ status: 'failed', endReason: 'shutdown' });
  const events = await h.eventsFor(callId, 1);
  expect(events).toEqual([
    expect.objectContaining({ type: 'call.ended', status: 'failed', endReason: 'shutdown' }),
  ]);
  expect(await getActiveCallCount(h.db, h.tenantId)).toBe(activeBefore);
}

export function useAsteriskHarness() {
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
      ports?: number;
      addChannelRace?: boolean;
      withholdExternalStasis?: (channelId: string) => boolean;
      externalStasisTimeoutMs?: number;
      originate?: (endpoint: string) => OriginateOutcome;
      /** What AMD() concludes in the dialplan on calls originated with detection. */
      amdOutcome?: (endpoint: string) => AmdOutcome;
      /** Holds the start-up channel list; `setup` then returns before the transport is ready. */
      channelListGate?: Promise<void>;
      /** `ASTERISK_MEDIA`: RTP (default) or chan_websocket. */
      media?: 'rtp' | 'websocket';
      /** Hears every call the service refuses (the refused-calls metric's hook). */
      onCallRefused?: (reason: string) => void;
    } = {},
  ) {
    const peer: RtpPeer = await startRtpPeer();
    const ari: FakeAriServer = await startFakeAriServer({
      rtpPeerFor: () => ({ address: peer.address, port: peer.port }),
      addChannelRace: options.addChannelRace,
      withholdExternalStasis: options.withholdExternalStasis,
      originateOutcome: options.originate,
      amdOutcome: options.amdOutcome,
      channelListGate: options.channelListGate,
    });
    const range = await freePortRange(options.ports ?? 20);
    // The service runs without its own ARI connection and queue consumer: the test drives both.
    const { service } = await media().startService(
      { ARI_PASSWORD: ari.password },
      {
        goodbyeTimeoutMs: 100,
        queueUrls: { ...queueUrlsFromEnv(), mediaCommands: undefined },
        onCallRefused: options.onCallRefused,
      },
    );
    const env = {
      ...service.sessionDeps.env,
      ARI_URL: ari.url,
      ARI_USERNAME: ari.username,
      ARI_APP: APP,
      ARI_ENDPOINT_TEMPLATE: 'PJSIP/{to}@trunk',
      RTP_HOST: '127.0.0.1',
      RTP_PORT_MIN: range.min,
      RTP_PORT_MAX: range.max,
      ASTERISK_MEDIA: options.media,
    };
    const asterisk: AsteriskTransport = await startAsteriskTransport(
      { ...service.sessionDeps, env },
      {
        routes: service.routes,
        reconnect: { initialMs: 20, maxMs: 100 },
        disconnectGraceMs: 300,
        externalStasisTimeoutMs: options.externalStasisTimeoutMs,
      },
    );
    if (options.channelListGate) await asterisk.connection.ready;
    else await asterisk.ready;
    cleanups.push(
      () => peer.close(),
      () => ari.close(),
      () => asterisk.stop(),
    );
    return { peer, ari, service, asterisk };
  }

  /** Places an inbound call to `exten` and waits until its session is live and greeting. */
  async function inboundCall(s: Setup, options: { exten?: string; callerNumber?: string } = {}) {
    const h = media();
    const before = h.realtime.connections.length;
    const channel = s.ari.placeInboundCall({
      app: APP,
      exten: options.exten ?? NUMBER.slice(1),
      callerNumber: options.callerNumber ?? '5557654321',
    });
    const model = await h.realtime.nextConfigured(before);
    await model.waitFor('response.create');
    const call = await findCallByProviderId(h.db, 'asterisk', channel.id);
    if (!call) throw new Error('no call record');
    const session = s.service.registry.get(call.id) as CallSession | undefined;
    if (!session) throw new Error('no live session');
    const request = await s.ari.waitForRequest(
      (r) => r.path === '/ari/channels/externalMedia' && r.query.get('channelId')?.includes(call.id) === true,
    );
    const port = Number(request.query.get('external_host')?.split(':')[1]);
    return { channel, call, model, session, ourRtp: { address: '127.0.0.1', port } };
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

  /**
   * Sends `call.originate` for a new call to `to` through the media command queue, once start-up
   * cleanup has listed Asterisk's channels (it can then no longer take ours for a leftover), and
   * waits until the call rings and its record says so.
   */
  async function dialFromQueue(ari: FakeAriServer, to: string) {
    await ari.waitForRequest((r) => r.method === 'GET' && r.path === '/ari/channels');
    const activeBefore = await getActiveCallCount(media().db, media().tenantId);
    const { call, command } = await outboundCall(to);
    await sendMediaCommand(sqsFromEnv(), queueUrlsFromEnv(), command);
    const channelId = `ai-caller-out-${call.id}`;
    await ari.waitUntil(() => ari.channels.get(channelId)?.state === 'Ringing');
    // The ringing status is a table write with nothing to listen for: poll the record.
    await vi.waitFor(async () => expect((await media().callRecord(call.id))?.status).toBe('ringing'), {
      timeout: 10_000,
      interval: 20,
    });
    return { call, channelId, activeBefore };
  }

  return { media, setup, inboundCall, outboundCall, dialFromQueue, cleanups };
}

export type AsteriskHarness = ReturnType<typeof useAsteriskHarness>;
export type Setup = Awaited<ReturnType<AsteriskHarness['setup']>>;
export type InboundCall = Awaited<ReturnType<AsteriskHarness['inboundCall']>>;
