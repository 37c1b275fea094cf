import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionCall } from '#shared/data/calls.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import type { FakeRealtimeConnection } from '../../../fakes/realtime/scripted-server.ts';
import type { AgentAudioCut, AudioTapFactory } from '../session/audio-taps.ts';
import type { CallSession } from '../session/call-session.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';

let harness: MediaHarness;
let streamUrl: string;
let baseUrl: string;
let service: Awaited<ReturnType<MediaHarness['startService']>>['service'];

/** What an audio tap subscribed to every call saw, by call id. */
interface Tapped {
  callerBytes: number;
  agentBytes: Record<string, number>;
  cuts: AgentAudioCut[];
  closedWith?: string;
}
const tapped = new Map<string, Tapped>();
const recordEveryCall: AudioTapFactory = ({ call }) => {
  const seen: Tapped = { callerBytes: 0, agentBytes: {}, cuts: [] };
  tapped.set(call.id, seen);
  return {
    callerAudio: (audio) => {
      seen.callerBytes += typeof audio === 'string' ? Buffer.from(audio, 'base64').length : audio.length;
    },
    agentAudio: (itemId, audio) => {
      seen.agentBytes[itemId] = (seen.agentBytes[itemId] ?? 0) + audio.byteLength;
    },
    agentCut: (cut) => seen.cuts.push(cut),
    close: (reason) => {
      seen.closedWith = reason;
    },
  };
};

beforeAll(async () => {
  harness = await startMediaHarness();
  ({ service, streamUrl, baseUrl } = await harness.startService({}, { audioTaps: [recordEveryCall] }));
}, 60_000);
afterAll(() => harness?.stop());

/** μ-law audio with a recognisable byte pattern (bytes must pass through untouched). */
const pattern = (bytes: number, seed: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7 + seed) & 0xff));

async function appendsReceived(connection: FakeRealtimeConnection, bytes: number): Promise<void> {
  // Every append is recorded; wait for the one that brings the total to `bytes`.
  await connection.waitFor('input_audio_buffer.append', () => connection.receivedAudio().length >= bytes);
}

async function startCall(options: { autoPlay?: boolean } = {}) {
  const { call, token } = await harness.newCall();
  const before = harness.realtime.connections.length;
  const client = await harness.connect(streamUrl, token, call, options);
  const model = await harness.realtime.nextConfigured(before);
  await model.waitFor('response.create');
  const session = service.registry.get(call.id) as CallSession | undefined;
  if (!session) throw new Error('no live session');
  return { call, token, client, model, session };
}

describe('Twilio call through the media service', () => {
  it('runs a full call: greeting, caller turn, reply; stores transcript, usage, telemetry and events', async () => {
    const { call, client, model, session } = await startCall({ autoPlay: true });

    expect(model.authorization).toBe('Bearer sk-test');
    expect(model.betaHeader).toBeUndefined();
    expect(model.model).toBe('gpt-realtime-2');
    const update = (await model.waitFor('session.update')) as unknown as {
      session: {
        type: string;
        instructions: string;
        tools: { name: string }[];
        audio: { input: Record<string, unknown>; output: Record<string, unknown> };
      };
    };
    expect(update.session.type).toBe('realtime');
    expect(update.session.instructions).toBe('You are a test agent.');
    expect(update.session.audio.input.format).toEqual({ type: 'audio/pcmu' });
    expect(update.session.audio.output.format).toEqual({ type: 'audio/pcmu' });
    expect(update.session.audio.output.voice).toBe('marin');
    expect(update.session.tools.map((t) => t.name)).toEqual(['end_call']);

    const greeting = [pattern(1600, 1), pattern(1600, 2)];
    model.speak('resp_1', 'item_a1', greeting, 'Hello, how can I help?');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a1:3200');
    const media = client.received.filter((f) => f.event === 'media');
    expect(Buffer.concat(media.map((f) => Buffer.from(f.media?.payload ?? '', 'base64')))).toEqual(
      Buffer.concat(greeting),
    );
    expect(media.every((f) => f.streamSid === client.streamSid)).toBe(true);

    const callerAudio = pattern(800, 9);
    client.sendAudio(callerAudio);
    await appendsReceived(model, 800);
    expect(model.receivedAudio()).toEqual(callerAudio);

    model.speechStarted('item_c1');
    model.speechStopped('item_c1', 900);
    model.callerTranscript('item_c1', 'I need to change my booking.');
    model.speak('resp_2', 'item_a2', [pattern(800, 3)], 'Sure, I can help with that.');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a2:800');

    client.stop();
    await session.closed;

    const turns = await listTranscriptTurns(harness.db, call.id);
    expect(turns.map((t) => [t.seq, t.role, t.text, t.interrupted ?? false])).toEqual([
      [1, 'agent', 'Hello, how can I help?', false],
      [2, 'caller', 'I need to change my booking.', false],
      [3, 'agent', 'Sure, I can help with that.', false],
    ]);
    const record = await harness.callRecord(call.id);
    expect(record?.status).toBe('completed');
    expect(record?.endReason).toBe('caller_hangup');
    expect(record?.answeredAt).toBeDefined();
    expect(record?.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(record?.media).toMatchObject({ streamSid: client.streamSid, callSid: client.callSid });
    expect(record?.usage).toMatchObject({
      responses: 2,
      inputTextTokens: 200,
      inputAudioTokens: 40,
      inputCachedTokens: 80,
      outputTextTokens: 30,
      outputAudioTokens: 90,
      transcriptionInputTokens: 7,
      transcriptionOutputTokens: 3,
    });
    expect(record?.telemetry?.firstAgentAudioMs).toBeGreaterThanOrEqual(0);
    expect(record?.telemetry?.responseLatenciesMs).toHaveLength(1);
    const events = await harness.eventsFor(call.id, 2);
    expect(events.map((e) => e.type).sort()).toEqual(['call.ended', 'call.started']);
    expect(events.find((e) => e.type === 'call.ended')).toMatchObject({
      endReason: 'caller_hangup',
      status: 'completed',
    });
    expect(service.registry.snapshot().liveCalls).toBe(0);
  });

  it('publishes call.started even when a status callback set in_progress first; leaves call.ended to whoever ends the call', async () => {
    const { call, token } = await harness.newCall();
    await transitionCall(harness.db, call.tenantId, call.id, 'in_progress', {
      answeredAt: new Date().toISOString(),
    });
    const before = harness.realtime.connections.length;
    const client = await harness.connect(streamUrl, token, call, { autoPlay: true });
    await (await harness.realtime.nextConfigured(before)).waitFor('response.create');
    const session = service.registry.get(call.id) as CallSession;
    expect((await harness.callRecord(call.id))?.media).toMatchObject({ streamSid: client.streamSid });

    // Twilio's `completed` callback wins the race: it ends the call (and publishes call.ended).
    await transitionCall(harness.db, call.tenantId, call.id, 'completed', { endReason: 'caller_hangup' });
    client.stop();
    await session.closed;
    const events = await harness.eventsFor(call.id, 1);
    expect(events.map((e) => e.type)).toEqual(['call.started']);
    expect((await harness.callRecord(call.id))?.telemetry).toBeDefined();
  });

  it('holds caller audio sent before the model is ready; all of it arrives, in order, after the session update', async () => {
    const release = harness.realtime.holdNextSession();
    const { call, token } = await harness.newCall();
    const before = harness.realtime.connections.length;
    const client = await harness.connect(streamUrl, token, call, { autoPlay: true });
    const early = pattern(1600, 4); // 200 ms sent while the model handshake is still pending
    client.sendAudio(early);
    const model = await harness.realtime.connection(before);
    expect(model.received).toEqual([]); // nothing can be sent before session.created
    release();
    await appendsReceived(model, 1600);
    expect(model.receivedAudio()).toEqual(early);
    expect(model.received[0]?.type).toBe('session.update');
    const session = service.registry.get(call.id) as CallSession;
    client.stop();
    await session.closed;
  });

  it('barge-in: clears Twilio, truncates at exactly the played ms from marks, drops late deltas', async () => {
    const { call, client, model, session } = await startCall();
    model.responseCreated('resp_1');
    for (let i = 0; i < 4; i++) model.audioDelta('resp_1', 'item_a1', pattern(800, i)); // 4 × 100 ms
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a1:3200');

    client.play(250); // marks at 100 and 200 ms have played; 300 has not
    client.sendAudio(pattern(160, 5)); // processed after the mark echoes (same socket, in order)
    await appendsReceived(model, 160);

    model.speechStarted('item_c1', 0);
    const truncate = await model.waitFor('conversation.item.truncate');
    expect(truncate).toMatchObject({ item_id: 'item_a1', content_index: 0, audio_end_ms: 200 });
    await client.waitFor('clear');
    await model.waitFor('response.cancel');

    // The cancelled response keeps streaming for a moment: none of it may reach the caller.
    const bytesBefore = client.outboundBytes();
    model.audioDelta('resp_1', 'item_a1', pattern(800, 7));
    model.transcriptDone('resp_1', 'item_a1', 'One two three four five six seven eight nine ten.');
    model.responseDone('resp_1', 'cancelled');
    model.speechStopped('item_c1', 600);
    model.callerTranscript('item_c1', 'Wait, stop.');
    model.speak('resp_2', 'item_a2', [pattern(400, 1)], 'Okay.');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a2:400');
    expect(client.outboundBytes() - bytesBefore).toBe(400);
    expect(client.received.some((f) => f.event === 'mark' && f.mark?.name === 'item_a1:4000')).toBe(false);

    client.play(50); // "Okay." plays to the end, so it is stored whole, not as interrupted
    client.stop();
    await session.closed;
    const turns = await listTranscriptTurns(harness.db, call.id);
    const interrupted = turns.find((t) => t.itemId === 'item_a1');
    expect(interrupted?.interrupted).toBe(true);
    // 200 ms heard of 500 ms generated: the first 40 % of the text, backed up to a word boundary.
    expect(interrupted?.text).toBe('One two three four');
    expect(turns.map((t) => t.role)).toEqual(['agent', 'caller', 'agent']);
    const reply = turns.find((t) => t.itemId === 'item_a2');
    expect(reply?.text).toBe('Okay.');
    expect(reply?.interrupted).toBeUndefined();
    const record = await harness.callRecord(call.id);
    expect(record?.telemetry?.bargeInStopMs).toHaveLength(1);
    // A tap on the call heard both directions as the caller did: the cut, none of the late audio.
    expect(tapped.get(call.id)).toEqual({
      callerBytes: 160,
      agentBytes: { item_a1: 3200, item_a2: 400 },
      cuts: [{ itemId: 'item_a1', audioEndMs: 200, sentMs: 400 }],
      closedWith: 'caller_hangup',
    });
  });

  it('refuses invalid, expired and replayed tokens without opening a model session', async () => {
    const { call } = await harness.newCall();
    const before = harness.realtime.connections.length;
    const forged = await harness.connect(streamUrl, 'st1.eyJjIjoiY2FsbCJ9.bad', call);
    expect(await forged.closed).toEqual({ code: 1008, reason: 'token_invalid' });

    const expired = await harness.newCall({ expSeconds: -5 });
    const late = await harness.connect(streamUrl, expired.token, expired.call);
    expect(await late.closed).toEqual({ code: 1008, reason: 'token_expired' });

    const other = await harness.newCall();
    const mismatched = await harness.connect(streamUrl, other.token, call);
    expect((await mismatched.closed).reason).toBe('token_invalid');
    expect(harness.realtime.connections.length).toBe(before);

    const first = await startCall({ autoPlay: true });
    first.client.stop();
    await first.session.closed;
    const afterFirst = harness.realtime.connections.length;
    const replay = await harness.connect(streamUrl, first.token, first.call);
    expect(await replay.closed).toEqual({ code: 1008, reason: 'token_replayed' });
    expect(harness.realtime.connections.length).toBe(afterFirst);
    expect((await harness.callRecord(call.id))?.status).toBe('ringing');
  });

  it('closes calls beyond the container capacity with a clear reason; /health shows it', async () => {
    const small = await harness.startService({ MEDIA_MAX_CALLS: '1' });
    const a = await harness.newCall();
    const clientA = await harness.connect(small.streamUrl, a.token, a.call, { autoPlay: true });
    await (await harness.realtime.nextConfigured(harness.realtime.connections.length - 1)).waitFor(
      'response.create',
    );
    const health = await (await fetch(`${small.baseUrl}/health`)).json();
    expect(health.calls).toEqual({ liveCalls: 1, maxCalls: 1, draining: false });

    const b = await harness.newCall();
    const clientB = await harness.connect(small.streamUrl, b.token, b.call);
    expect(await clientB.closed).toEqual({ code: 1013, reason: 'capacity' });
    clientA.stop();
    await small.service.registry.get(a.call.id)?.closed;
    expect(small.service.registry.snapshot().liveCalls).toBe(0);
  });

  it('survives malformed frames from Twilio and from the model', async () => {
    const { call, client, model, session } = await startCall({ autoPlay: true });
    client.sendRaw('not json at all');
    client.sendRaw('{"event":"media","media":{}}');
    client.sendRaw('{"event":"dtmf","dtmf":{"digit":"xyz"}}');
    client.sendRaw('{"event":"something_new","streamSid":"MZ1"}');
    client.sendRaw('[1,2,3]');
    model.sendRaw('{{{');
    model.sendRaw('{"type":"response.output_audio.delta","item_id":"x"}');
    model.sendRaw('{"type":"response.done"}');
    model.send({ type: 'some.future_event', payload: 1 });
    model.error('unknown_parameter', 'Unknown parameter.');

    client.sendAudio(pattern(320, 3));
    await appendsReceived(model, 320);
    model.speak('resp_1', 'item_a1', [pattern(800, 1)], 'Still here.');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a1:800');
    expect(session.currentState).toBe('listening');
    const health = await fetch(`${baseUrl}/health`);
    expect(health.status).toBe(200);

    client.stop();
    await session.closed;
    expect((await listTranscriptTurns(harness.db, call.id)).map((t) => t.text)).toEqual(['Still here.']);
  });

  it('takes a pre-connected model socket from the warm pool and configures it only for a verified call', async () => {
    const before = harness.realtime.connections.length;
    const warm = await harness.startService({ MEDIA_MODEL_POOL_SIZE: '1' });
    const pooled = await harness.realtime.connection(before);
    expect(pooled.received).toEqual([]);
    const health = await (await fetch(`${warm.baseUrl}/health`)).json();
    expect(health.models.target).toBe(1);

    const bad = await harness.newCall({ expSeconds: -1 });
    const refused = await harness.connect(warm.streamUrl, bad.token, bad.call);
    expect((await refused.closed).reason).toBe('token_expired');
    expect(pooled.received).toEqual([]); // untouched: no tenant data, no session

    const { call, token } = await harness.newCall();
    const client = await harness.connect(warm.streamUrl, token, call, { autoPlay: true });
    const configured = await harness.realtime.nextConfigured(before);
    expect(configured.index).toBe(pooled.index);
    await configured.waitFor('response.create');
    await harness.realtime.connection(pooled.index + 1); // the pool refills behind the call
    client.stop();
    await warm.service.registry.get(call.id)?.closed;
  });
});
