import { describe, expect, it } from 'vitest';
import { findCallByProviderId } from '#shared/data/calls.ts';
import {
  APP,
  appendsReceived,
  NUMBER,
  pattern,
  useAsteriskHarness,
} from '../../../test/media-service/asterisk-test-harness.ts';

const { media, setup } = useAsteriskHarness();

describe('Asterisk classic mode with WebSocket media (ASTERISK_MEDIA=websocket)', () => {
  it('bridges a chan_websocket ExternalMedia channel, carries audio both ways over /media, and needs no RTP port', async () => {
    const s = await setup({ media: 'websocket' });
    expect(s.asterisk.ports).toBeUndefined();
    const before = media().realtime.connections.length;
    const channel = s.ari.placeInboundCall({ app: APP, exten: NUMBER.slice(1), callerNumber: '5557654321' });
    const model = await media().realtime.nextConfigured(before);
    await model.waitFor('response.create');
    const call = (await findCallByProviderId(media().db, 'asterisk', channel.id))!;
    const mediaChannelId = `ai-caller-media-${call.id}`;

    const external = s.ari.requests.find((r) => r.path === '/ari/channels/externalMedia')!;
    expect(Object.fromEntries(external.query)).toMatchObject({
      app: APP,
      format: 'ulaw',
      transport: 'websocket',
      encapsulation: 'none',
      connection_type: 'server',
      channelId: mediaChannelId,
    });
    expect(external.query.has('external_host')).toBe(false);
    expect(s.ari.bridges.get(`ai-caller-bridge-${call.id}`)?.channels).toEqual([channel.id, mediaChannelId]);

    const callerAudio = pattern(160 * 6, 3);
    await s.ari.sendMedia(mediaChannelId, callerAudio);
    await appendsReceived(model, callerAudio.length);
    expect(model.receivedAudio().subarray(0, callerAudio.length)).toEqual(callerAudio);
    const greeting = pattern(160 * 4, 8);
    model.speak('resp_1', 'item_a1', [greeting], 'Hello');
    const socket = s.ari.mediaSockets.get(mediaChannelId)!;
    await s.ari.waitUntil(() => socket.received.length >= 4);
    expect(Buffer.concat(socket.received)).toEqual(greeting);

    s.ari.hangUp(channel.id);
    await s.ari.waitUntil(() => s.ari.bridges.size === 0 && s.ari.channels.size === 0);
    await s.ari.waitUntil(() => socket.socket.readyState === socket.socket.CLOSED);
    expect(s.asterisk.calls.size).toBe(0);
    expect((await media().callRecord(call.id))?.media).toMatchObject({ asterisk: { media: 'websocket' } });
  });
});
