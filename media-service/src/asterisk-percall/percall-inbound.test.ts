import { describe, expect, it } from 'vitest';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { APP, NUMBER, usePerCallHarness } from '../../../test/media-service/asterisk-percall-harness.ts';

const { media, setup, inboundCall } = usePerCallHarness();

const pattern = (bytes: number, seed: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7 + seed) & 0xff));

describe('Asterisk per-call mode: an inbound call over per-call ARI WebSockets and chan_websocket media', () => {
  it('is controlled with REST over its own connection, carries audio both ways, and releases everything', async () => {
    const s = await setup();
    const { channel, call, model, session, mediaChannelId } = await inboundCall(s);
    expect(call).toMatchObject({
      direction: 'inbound',
      provider: 'asterisk',
      from: '+15557654321',
      to: NUMBER,
    });

    // Every REST call went over the caller's per-call connection (number 1), none over HTTP.
    const first = s.ari.perCallConnections[0]!;
    expect(first.application).toBe(`${APP}:${channel.name}`);
    const control = s.ari.requests.filter((r) => r.method === 'POST');
    expect(control.every((r) => r.conn === first.number)).toBe(true);
    const flow = control.map((r) => `${r.path.replace('/ari', '')} ${r.status}`);
    expect(flow.slice(0, 4)).toEqual([
      `/channels/${channel.id}/answer 204`,
      '/bridges 200',
      `/bridges/ai-caller-bridge-${call.id}/addChannel 204`,
      '/channels/externalMedia 200',
    ]);
    // The media channel joins only once in Stasis: 422 until its media socket is connected and it entered.
    expect(flow.at(-1)).toBe(`/bridges/ai-caller-bridge-${call.id}/addChannel 204`);
    const external = control.find((r) => r.path === '/ari/channels/externalMedia')!;
    expect(Object.fromEntries(external.query)).toMatchObject({
      app: APP,
      format: 'ulaw',
      transport: 'websocket',
      encapsulation: 'none',
      connection_type: 'server',
      channelId: mediaChannelId,
    });
    // A second per-call connection for the media channel, held and otherwise left alone (known by
    // its name: not even looked up).
    const second = s.ari.perCallConnections[1]!;
    expect(second.application).toMatch(new RegExp(`^${APP}:WebSocket/INCOMING/0x`));
    expect(second.channelId).toBe(mediaChannelId);
    expect(s.ari.requests.some((r) => r.conn === second.number)).toBe(false);

    // Caller → model: binary μ-law frames pass through as audio/pcmu.
    const callerAudio = pattern(160 * 10, 3);
    await s.ari.sendMedia(mediaChannelId, callerAudio);
    await model.waitFor(
      'input_audio_buffer.append',
      () => model.receivedAudio().length >= callerAudio.length,
    );
    expect(model.receivedAudio().subarray(0, callerAudio.length)).toEqual(callerAudio);

    // Model → caller: 160-byte frames on the media socket, paced.
    const greeting = pattern(160 * 8, 1);
    model.speak('resp_1', 'item_a1', [greeting], 'Hello, how can I help?');
    const socket = s.ari.mediaSockets.get(mediaChannelId)!;
    await s.ari.waitUntil(() => socket.received.length >= 8);
    expect(socket.received.every((frame) => frame.length === 160)).toBe(true);
    expect(Buffer.concat(socket.received)).toEqual(greeting);

    // Barge-in flushes Asterisk's queue too.
    model.responseCreated('resp_2');
    model.audioDelta('resp_2', 'item_a2', pattern(160 * 100, 2));
    await s.ari.waitUntil(() => socket.received.length >= 12);
    model.speechStarted('item_c1', 0);
    await model.waitFor('conversation.item.truncate');
    await s.ari.waitUntil(() => socket.textReceived.includes('FLUSH_MEDIA'));

    s.ari.sendDtmf(channel.id, '7');
    await model.waitFor('conversation.item.create', (e) => JSON.stringify(e).includes('7'));

    s.ari.hangUp(channel.id);
    await session.closed;
    await s.ari.waitUntil(() => s.ari.bridges.size === 0 && s.ari.channels.size === 0);
    await s.ari.waitUntil(() => s.ari.perCallConnections.every((c) => c.closeCode !== undefined));
    expect(s.ari.perCallConnections.map((c) => c.closeCode)).toEqual([1000, 1000]);
    expect(socket.socket.readyState).toBeGreaterThanOrEqual(2);
    expect(s.tasks[0]!.transport.calls.size).toBe(0);
    const record = await media().callRecord(call.id);
    expect(record).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect(record?.media).toMatchObject({
      asterisk: { callerChannelId: channel.id, externalChannelId: mediaChannelId, media: 'websocket' },
    });
    const turns = await listTranscriptTurns(media().db, call.id);
    expect(turns[0]).toMatchObject({ role: 'agent', text: 'Hello, how can I help?' });
  });

  it('closes a connection announcing a channel Asterisk no longer has, cleanly', async () => {
    const s = await setup({ unclaimedAfterMs: 50 });
    const ghost = s.ari.openPerCallForUnknownChannel('PJSIP/trunk-00000042');
    await s.ari.waitUntil(() => ghost.closeCode !== undefined);
    expect(ghost.closeCode).toBe(1000);
    expect(s.ari.requests.filter((r) => r.conn === ghost.number).map((r) => `${r.method} ${r.path}`)).toEqual(
      ['GET /ari/channels'],
    );
    expect(s.tasks[0]!.transport.calls.size).toBe(0);
  });

  it('ends a call whose control connection broke and releases its channels and bridge over ARI HTTP', async () => {
    const s = await setup({ unclaimedAfterMs: 50 });
    const { channel, call, session } = await inboundCall(s);
    // Asterisk re-opens a dropped connection at once with only ApplicationRegistered.
    s.ari.dropPerCallConnection(channel.id);
    await session.closed;
    await s.ari.waitUntil(() => s.ari.channels.size === 0 && s.ari.bridges.size === 0);
    // Asterisk re-opened the caller's connection; the released channel then closed it.
    const reopened = s.ari.perCallConnections.find((c) => c.reconnect && c.channelId === channel.id);
    expect(reopened).toBeDefined();
    const overHttp = s.ari.requests
      .filter((r) => r.method === 'DELETE' && r.conn === undefined)
      .map((r) => r.path);
    expect(overHttp).toEqual(
      expect.arrayContaining([`/ari/bridges/ai-caller-bridge-${call.id}`, `/ari/channels/${channel.id}`]),
    );
    expect(await media().callRecord(call.id)).toMatchObject({
      status: 'completed',
      endReason: 'media_error',
    });
  });
});
