import { describe, expect, it } from 'vitest';
import { findCallByProviderId } from '#shared/data/calls.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { buildRtp } from './rtp-packet.ts';
import {
  APP,
  appendsReceived,
  NUMBER,
  pattern,
  releases,
  useAsteriskHarness,
} from '../../../test/media-service/asterisk-test-harness.ts';

const { media, setup, inboundCall } = useAsteriskHarness();

describe('Asterisk inbound refusals', () => {
  it('hangs up a call to a number no agent answers as unallocated and counts it refused', async () => {
    const refused: string[] = [];
    const s = await setup({ onCallRefused: (reason) => refused.push(reason) });
    const channel = s.ari.placeInboundCall({ app: APP, exten: '15550001234', callerNumber: '5557654321' });
    const hangup = await s.ari.waitForRequest(
      (r) => r.method === 'DELETE' && r.path === `/ari/channels/${channel.id}`,
    );
    expect(hangup.query.get('reason')).toBe('unallocated');
    expect(refused).toEqual(['unknown_number']);
  });
});

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
    // Garbage and RTP of another payload type on the call's port are ignored, not fatal.
    s.peer.sendRaw(ourRtp, Buffer.from('definitely not RTP'));
    s.peer.sendRaw(
      ourRtp,
      buildRtp({ marker: false, payloadType: 118, sequence: 1, timestamp: 1, ssrc: 9 }, Buffer.alloc(640)),
    );
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
    const turns = await listTranscriptTurns(media().db, call.id);
    expect(turns.map((t) => [t.role, t.text])).toEqual([
      ['agent', 'Hello, how can I help?'],
      ['caller', 'I would like to book a table.'],
      ['caller', '[The caller pressed 5 on the phone keypad.]'],
    ]);
    const record = await media().callRecord(call.id);
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
    const events = await media().eventsFor(call.id, 2);
    expect(events.map((e) => e.type).sort()).toEqual(['call.ended', 'call.started']);
    await s.ari.waitUntil(() => s.ari.bridges.size === 0 && s.ari.channels.size === 0);
    expect(releases(s.ari, call.id)).toEqual({ bridge: 1, external: 1 });
    expect(s.asterisk.ports?.inUse).toBe(0);
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
    expect(await findCallByProviderId(media().db, 'asterisk', `ai-caller-media-${call.id}`)).toBeUndefined();
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
    expect(await findCallByProviderId(media().db, 'asterisk', second.id)).toBeUndefined();
    expect(s.asterisk.ports?.inUse).toBe(1);
    await first.session.end('api_request');
    expect(s.asterisk.ports?.inUse).toBe(0);
  });
});
