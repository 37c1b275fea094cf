import { createSocket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCall, findCallByProviderId } from '#shared/data/calls.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { sendMediaCommand } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import {
  type FakeAriServer,
  type OriginateOutcome,
  startFakeAriServer,
} from '../../../test/fakes/ari-server.ts';
import type { FakeRealtimeConnection } from '../../../test/fakes/realtime-server.ts';
import { type RtpPeer, startRtpPeer } from '../../../test/fakes/rtp-peer.ts';
import { startMediaCommandConsumer } from '../commands/media-command-consumer.ts';
import type { CallSession } from '../session/call-session.ts';
import { type MediaHarness, startMediaHarness } from '../twilio/twilio-test-harness.ts';
import { type AsteriskTransport, startAsteriskTransport } from './asterisk-transport.ts';

const APP = 'ai-caller';
const NUMBER = '+15550009999';
let harness: MediaHarness;

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

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A free UDP port range: the OS picks the start (port 0), the range follows it. */
async function freePortRange(length: number): Promise<{ min: number; max: number }> {
  const probe = createSocket('udp4');
  const port = await new Promise<number>((resolve) =>
    probe.bind(0, '127.0.0.1', () => resolve(probe.address().port)),
  );
  probe.close();
  return { min: port, max: Math.min(65535, port + length - 1) };
}

const pattern = (bytes: number, seed: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7 + seed) & 0xff));

async function setup(
  options: {
    ports?: number;
    addChannelRace?: boolean;
    originate?: (endpoint: string) => OriginateOutcome;
  } = {},
) {
  const peer: RtpPeer = await startRtpPeer();
  const ari: FakeAriServer = await startFakeAriServer({
    rtpPeerFor: () => ({ address: peer.address, port: peer.port }),
    addChannelRace: options.addChannelRace,
    originateOutcome: options.originate,
  });
  const range = await freePortRange(options.ports ?? 20);
  // The service runs without its own ARI connection and queue consumer: this test drives both.
  const { service } = await harness.startService(
    { ARI_PASSWORD: ari.password },
    { goodbyeTimeoutMs: 100, queueUrls: { ...queueUrlsFromEnv(), mediaCommands: undefined } },
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
  };
  const asterisk: AsteriskTransport = await startAsteriskTransport(
    { ...service.sessionDeps, env },
    {
      routes: service.routes,
      reconnect: { initialMs: 20, maxMs: 100 },
      disconnectGraceMs: 300,
    },
  );
  await asterisk.ready;
  cleanups.push(
    () => peer.close(),
    () => ari.close(),
    () => asterisk.stop(),
  );
  return { peer, ari, service, asterisk };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** Places an inbound call and waits until its session is live and greeting. */
async function inboundCall(s: Setup, callerNumber = '5557654321') {
  const before = harness.realtime.connections.length;
  const channel = s.ari.placeInboundCall({ app: APP, exten: NUMBER.slice(1), callerNumber });
  const model = await harness.realtime.nextConfigured(before);
  await model.waitFor('response.create');
  const call = await findCallByProviderId(harness.db, 'asterisk', channel.id);
  if (!call) throw new Error('no call record');
  const session = s.service.registry.get(call.id) as CallSession | undefined;
  if (!session) throw new Error('no live session');
  const media = await s.ari.waitForRequest(
    (r) => r.path === '/ari/channels/externalMedia' && r.query.get('channelId')?.includes(call.id) === true,
  );
  const port = Number(media.query.get('external_host')?.split(':')[1]);
  return { channel, call, model, session, ourRtp: { address: '127.0.0.1', port } };
}

/** Every release request of a call: each must appear exactly once, whatever ended the call. */
function releases(ari: FakeAriServer, callId: string) {
  const count = (method: string, pathPart: string) =>
    ari.requests.filter((r) => r.method === method && r.path.includes(pathPart)).length;
  return {
    bridge: count('DELETE', `/ari/bridges/ai-caller-bridge-${callId}`),
    external: count('DELETE', `/ari/channels/ai-caller-media-${callId}`),
  };
}

async function appendsReceived(model: FakeRealtimeConnection, bytes: number) {
  await model.waitFor('input_audio_buffer.append', () => model.receivedAudio().length >= bytes);
}

describe('Asterisk inbound call through the fake ARI server with real RTP on loopback', () => {
  it('answers, bridges ExternalMedia, carries audio both ways, stores the transcript, and releases everything once', async () => {
    const s = await setup({ addChannelRace: true });
    const { channel, call, model, session, ourRtp } = await inboundCall(s);

    expect(call).toMatchObject({
      direction: 'inbound',
      provider: 'asterisk',
      from: '+15557654321',
      to: NUMBER,
    });
    const update = (await model.waitFor('session.update')) as unknown as {
      session: { audio: { input: { format: unknown }; output: { format: unknown } } };
    };
    expect(update.session.audio.input.format).toEqual({ type: 'audio/pcmu' });
    expect(update.session.audio.output.format).toEqual({ type: 'audio/pcmu' });
    // Recorded order: answer, mixing bridge, ExternalMedia (ulaw, rtp/udp), then the media channel joins on its StasisStart.
    const flow = s.ari.requests.filter((r) => r.method === 'POST').map((r) => r.path.replace(/\/ari/, ''));
    expect(flow).toEqual([
      `/channels/${channel.id}/answer`,
      '/bridges',
      `/bridges/ai-caller-bridge-${call.id}/addChannel`,
      '/channels/externalMedia',
      `/bridges/ai-caller-bridge-${call.id}/addChannel`,
    ]);
    const external = s.ari.requests.find((r) => r.path === '/ari/channels/externalMedia')!;
    expect(Object.fromEntries(external.query)).toMatchObject({
      app: APP,
      format: 'ulaw',
      encapsulation: 'rtp',
      transport: 'udp',
      external_host: `127.0.0.1:${ourRtp.port}`,
    });
    expect(s.ari.requests.some((r) => r.status === 422)).toBe(false);
    expect(s.ari.bridges.get(`ai-caller-bridge-${call.id}`)?.channels).toEqual([
      channel.id,
      `ai-caller-media-${call.id}`,
    ]);

    // Caller → model: RTP payloads pass through untouched as audio/pcmu.
    const callerAudio = pattern(160 * 10, 3);
    void s.peer.startSending(ourRtp, callerAudio);
    await appendsReceived(model, callerAudio.length);
    expect(model.receivedAudio().subarray(0, callerAudio.length)).toEqual(callerAudio);

    // Model → caller: paced RTP from our port, μ-law PT 0.
    const greeting = pattern(160 * 8, 1);
    model.speak('resp_1', 'item_a1', [greeting], 'Hello, how can I help?');
    await s.peer.waitForPackets(8);
    expect(Buffer.concat(s.peer.received.map((p) => p.payload))).toEqual(greeting);
    expect(s.peer.received.every((p) => p.payloadType === 0 && p.from.port === ourRtp.port)).toBe(true);

    model.speechStarted('item_c1');
    model.speechStopped('item_c1', 400);
    model.callerTranscript('item_c1', 'I would like to book a table.');
    s.ari.sendDtmf(channel.id, '5');
    await model.waitFor('conversation.item.create', (e) => JSON.stringify(e).includes('5'));

    s.ari.hangUp(channel.id);
    await session.closed;
    const turns = await listTranscriptTurns(harness.db, call.id);
    expect(turns.map((t) => [t.role, t.text])).toEqual([
      ['agent', 'Hello, how can I help?'],
      ['caller', 'I would like to book a table.'],
      ['caller', '[The caller pressed 5 on the phone keypad.]'],
    ]);
    const record = await harness.callRecord(call.id);
    expect(record).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect(record?.media).toMatchObject({
      asterisk: {
        callerChannelId: channel.id,
        bridgeId: `ai-caller-bridge-${call.id}`,
        externalChannelId: `ai-caller-media-${call.id}`,
        rtpPort: ourRtp.port,
        asteriskRtp: `${s.peer.address}:${s.peer.port}`,
      },
    });
    const events = await harness.eventsFor(call.id, 2);
    expect(events.map((e) => e.type).sort()).toEqual(['call.ended', 'call.started']);
    await s.ari.waitUntil(() => s.ari.bridges.size === 0 && s.ari.channels.size === 0);
    expect(releases(s.ari, call.id)).toEqual({ bridge: 1, external: 1 });
    expect(s.asterisk.ports.inUse).toBe(0);
    expect(s.asterisk.calls.size).toBe(0);
  });

  it('never treats the ExternalMedia channel StasisStart as a caller', async () => {
    const s = await setup();
    const { call, session } = await inboundCall(s);
    const answered = s.ari.requests.filter((r) => r.path.endsWith('/answer'));
    expect(answered).toHaveLength(1);
    // A stray UnicastRTP channel entering the app (not ours) is ignored too: no answer, no call.
    s.ari.emit('StasisStart', {
      args: [],
      channel: {
        id: 'stray.1',
        name: 'UnicastRTP/127.0.0.1:1-0x1',
        state: 'Up',
        caller: { name: '', number: '' },
      },
    });
    await session.end('api_request');
    expect(s.ari.requests.filter((r) => r.path.endsWith('/answer'))).toHaveLength(1);
    expect(s.ari.requests.some((r) => r.path.includes('stray.1'))).toBe(false);
    expect(await findCallByProviderId(harness.db, 'asterisk', `ai-caller-media-${call.id}`)).toBeUndefined();
  });

  it('barge-in flushes the pacer and truncates at packets sent × 20 ms', async () => {
    const s = await setup();
    const { model, session } = await inboundCall(s);
    model.responseCreated('resp_1');
    model.audioDelta('resp_1', 'item_a1', pattern(160 * 100, 2)); // 2 s of audio, sent at once
    await s.peer.waitForPackets(10);
    model.speechStarted('item_c1', 0);
    const truncate = (await model.waitFor('conversation.item.truncate')) as unknown as {
      audio_end_ms: number;
    };
    const transport = s.asterisk.calls.byCallId.get(session.callId)!.transport;
    const sent = transport.rtpStats!.packetsOut;
    expect(truncate).toMatchObject({ item_id: 'item_a1', content_index: 0, audio_end_ms: sent * 20 });
    expect(sent).toBeGreaterThanOrEqual(10);
    expect(sent).toBeLessThan(100);
    // Nothing queued survives the flush: one more agent frame is the next packet.
    model.responseDone('resp_1', 'cancelled');
    model.speak('resp_2', 'item_a2', [pattern(160, 9)], 'Yes?');
    await s.peer.waitForPackets(sent + 1);
    expect(s.peer.received.at(-1)?.payload).toEqual(pattern(160, 9));
    expect(s.peer.received.at(-1)?.marker).toBe(true);
    await session.end('api_request');
  });

  it('refuses an unknown number and a full port range without answering, with a cause', async () => {
    const s = await setup({ ports: 1 });
    const unknown = s.ari.placeInboundCall({ app: APP, exten: '15550000000', callerNumber: '5557654321' });
    const refusal = await s.ari.waitForRequest((r) => r.method === 'DELETE' && r.path.endsWith(unknown.id));
    expect(refusal.query.get('reason')).toBe('unallocated');

    const first = await inboundCall(s);
    const second = s.ari.placeInboundCall({ app: APP, exten: NUMBER.slice(1), callerNumber: '5550001111' });
    const full = await s.ari.waitForRequest((r) => r.method === 'DELETE' && r.path.endsWith(second.id));
    expect(full.query.get('reason')).toBe('congestion');
    const answers = s.ari.requests.filter((r) => r.path.endsWith('/answer')).map((r) => r.path);
    expect(answers).toEqual([`/ari/channels/${first.channel.id}/answer`]);
    expect(await findCallByProviderId(harness.db, 'asterisk', second.id)).toBeUndefined();
    expect(s.asterisk.ports.inUse).toBe(1);
    await first.session.end('api_request');
    expect(s.asterisk.ports.inUse).toBe(0);
  });
});

describe('Asterisk hang-up paths: each releases bridge, ExternalMedia channel and port exactly once', () => {
  it.each([
    [
      'caller hangs up',
      'caller_hangup',
      (s: Setup, c: Awaited<ReturnType<typeof inboundCall>>) => s.ari.hangUp(c.channel.id),
    ],
    [
      'call.end through the session (API)',
      'api_request',
      (_s: Setup, c: Awaited<ReturnType<typeof inboundCall>>) => void c.session.end('api_request'),
    ],
    [
      'the model ends the call',
      'agent_hangup',
      (_s: Setup, c: Awaited<ReturnType<typeof inboundCall>>) => {
        c.model.responseCreated('resp_x');
        c.model.functionCall('resp_x', 'fc_1', 'end_call', { reason: 'done' });
        c.model.responseDone('resp_x');
      },
    ],
    [
      'the ExternalMedia channel dies',
      'media_error',
      (s: Setup, c: Awaited<ReturnType<typeof inboundCall>>) => s.ari.hangUp(`ai-caller-media-${c.call.id}`),
    ],
    [
      'ARI stays unreachable past the grace period',
      'media_error',
      (s: Setup) => s.ari.dropEventSockets(true),
    ],
  ])('%s', async (_name, endReason, end) => {
    const s = await setup();
    const c = await inboundCall(s);
    end(s, c);
    await c.session.closed;
    s.ari.acceptEventSockets();
    await s.ari.waitUntil(
      () => s.ari.bridges.size === 0 && !s.ari.channels.has(`ai-caller-media-${c.call.id}`),
    );
    const record = await harness.callRecord(c.call.id);
    expect(record?.endReason).toBe(endReason);
    const released = releases(s.ari, c.call.id);
    expect(released.bridge).toBe(1);
    expect(released.external).toBeLessThanOrEqual(1);
    expect(s.asterisk.ports.inUse).toBe(0);
    expect(s.asterisk.calls.size).toBe(0);
  });

  it('keeps a live call across an ARI socket drop and reconnect, then hears its hang-up', async () => {
    const s = await setup();
    const c = await inboundCall(s);
    const opened = s.ari.eventSocketsOpened;
    s.ari.dropEventSockets();
    await s.ari.waitUntil(() => s.ari.eventSocketsOpened > opened && s.ari.eventSockets === 1);
    expect(s.service.registry.get(c.call.id)).toBeDefined();
    s.ari.hangUp(c.channel.id);
    await c.session.closed;
    expect((await harness.callRecord(c.call.id))?.endReason).toBe('caller_hangup');
    expect(s.asterisk.ports.inUse).toBe(0);
  });

  it('cold transfer: the caller continues in the dialplan, our side is released, the caller is not hung up', async () => {
    const agent = await harness.newAgent({ transferNumber: '+15550004444' });
    await createPhoneNumber(harness.db, {
      tenantId: harness.tenantId,
      number: '+15550007777',
      agentId: agent.id,
      provider: 'asterisk',
    });
    const s = await setup();
    const before = harness.realtime.connections.length;
    const channel = s.ari.placeInboundCall({ app: APP, exten: '15550007777', callerNumber: '5557654321' });
    const model = await harness.realtime.nextConfigured(before);
    await model.waitFor('response.create');
    const call = (await findCallByProviderId(harness.db, 'asterisk', channel.id))!;
    const session = s.service.registry.get(call.id) as CallSession;
    model.responseCreated('resp_t');
    model.functionCall('resp_t', 'fc_t', 'transfer_call', { reason: 'wants a human' });
    model.responseDone('resp_t');
    const moved = await s.ari.waitForRequest((r) => r.path === `/ari/channels/${channel.id}/continue`);
    expect(Object.fromEntries(moved.query)).toMatchObject({
      context: `${APP}-transfer`,
      extension: '+15550004444',
      priority: '1',
    });
    await session.closed;
    expect((await harness.callRecord(call.id))?.endReason).toBe('transferred');
    await s.ari.waitUntil(() => s.ari.bridges.size === 0);
    expect(s.ari.channels.has(channel.id)).toBe(true);
    expect(s.ari.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(channel.id))).toBe(false);
    expect(releases(s.ari, call.id)).toEqual({ bridge: 1, external: 1 });
    expect(s.asterisk.ports.inUse).toBe(0);
  });

  it('removes leftovers of a previous run at start-up', async () => {
    const peer = await startRtpPeer();
    const ari = await startFakeAriServer({ rtpPeerFor: () => ({ address: peer.address, port: peer.port }) });
    ari.addLeftover({
      bridgeName: 'ai-caller-call_old',
      channelIds: ['ai-caller-media-call_old', 'caller.7'],
    });
    ari.addLeftover({ bridgeName: 'someone-else', channelIds: ['other.1'] });
    const range = await freePortRange(4);
    // Wired as in production: createMediaService starts the Asterisk transport when ARI_URL is set.
    const { service, baseUrl } = await harness.startService(
      {
        ARI_URL: ari.url,
        ARI_USERNAME: ari.username,
        ARI_PASSWORD: ari.password,
        RTP_PORT_MIN: String(range.min),
        RTP_PORT_MAX: String(range.max),
      },
      { queueUrls: { ...queueUrlsFromEnv(), mediaCommands: undefined } },
    );
    cleanups.push(
      () => peer.close(),
      () => ari.close(),
      () => service.drain(0),
    );
    await ari.waitUntil(() => ari.bridges.size === 1 && ari.channels.size === 1);
    expect([...ari.bridges.values()].map((b) => b.name)).toEqual(['someone-else']);
    expect([...ari.channels.keys()]).toEqual(['other.1']);
    const health = (await (await fetch(`${baseUrl}/health`)).json()) as { checks: Record<string, unknown> };
    expect(health.checks.asterisk).toMatchObject({ status: 'ok' });
  });
});

describe('Asterisk outbound calls from the media command queue', () => {
  async function queuedCall(to: string) {
    const { call } = await createCall(
      harness.db,
      {
        tenantId: harness.tenantId,
        agentId: harness.agentId,
        direction: 'outbound',
        provider: 'asterisk',
        from: NUMBER,
        to,
        status: 'queued',
      },
      { maxConcurrentCalls: 20 },
    );
    await sendMediaCommand(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.originate',
      tenantId: call.tenantId,
      callId: call.id,
      agentId: call.agentId,
      to: call.to,
      from: call.from,
    });
    return call;
  }

  it('originates, runs the answered call, and maps busy and no-answer to the call status', async () => {
    const outcomes: Record<string, OriginateOutcome> = {
      'PJSIP/+15550001111@trunk': 'answer',
      'PJSIP/+15550002222@trunk': 'busy',
      'PJSIP/+15550003333@trunk': 'no_answer',
    };
    const s = await setup({ originate: (endpoint) => outcomes[endpoint] ?? 'failed' });
    const consumer = startMediaCommandConsumer({
      sqs: sqsFromEnv(),
      queueUrl: queueUrlsFromEnv().mediaCommands as string,
      logger: s.service.sessionDeps.logger,
      registry: s.service.registry,
      asterisk: s.asterisk,
      waitSeconds: 1,
    });
    cleanups.push(() => consumer.stop());

    const before = harness.realtime.connections.length;
    const answered = await queuedCall('+15550001111');
    const busy = await queuedCall('+15550002222');
    const noAnswer = await queuedCall('+15550003333');

    const model = await harness.realtime.nextConfigured(before);
    await model.waitFor('response.create');
    const originate = await s.ari.waitForRequest(
      (r) =>
        r.method === 'POST' &&
        r.path === '/ari/channels' &&
        r.query.get('endpoint') === 'PJSIP/+15550001111@trunk',
    );
    expect(Object.fromEntries(originate.query)).toMatchObject({
      app: APP,
      appArgs: `outbound,${answered.id}`,
      callerId: NUMBER,
      channelId: `ai-caller-out-${answered.id}`,
    });
    expect(s.ari.requests.some((r) => r.path.endsWith(`ai-caller-out-${answered.id}/answer`))).toBe(false);

    const [busyEvent] = await harness.eventsFor(busy.id, 1);
    const [noAnswerEvent] = await harness.eventsFor(noAnswer.id, 1);
    expect(busyEvent).toMatchObject({ type: 'call.ended', status: 'busy' });
    expect(noAnswerEvent).toMatchObject({ type: 'call.ended', status: 'no_answer' });
    expect((await harness.callRecord(busy.id))?.status).toBe('busy');
    expect((await harness.callRecord(noAnswer.id))?.status).toBe('no_answer');

    // call.end through the queue ends the live session of the answered call.
    const session = s.service.registry.get(answered.id) as CallSession;
    await sendMediaCommand(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.end',
      tenantId: answered.tenantId,
      callId: answered.id,
      reason: 'api_request',
    });
    await session.closed;
    const record = await harness.callRecord(answered.id);
    expect(record).toMatchObject({
      status: 'completed',
      endReason: 'api_request',
      providerCallId: `ai-caller-out-${answered.id}`,
    });
    await s.ari.waitUntil(() => s.ari.bridges.size === 0);
    expect(s.asterisk.ports.inUse).toBe(0);
  });
});
