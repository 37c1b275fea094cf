import { describe, expect, it } from 'vitest';
import { getActiveCallCount } from '#shared/data/calls.ts';
import { startFakeAriServer } from '../../../fakes/asterisk/ari-server.ts';
import { startRtpPeer } from '../../../fakes/asterisk/rtp-peer.ts';
import {
  expectEndedByShutdown,
  freePortRange,
  useAsteriskHarness,
} from '../../../test/media-service/asterisk-test-harness.ts';

const { media, setup, outboundCall, dialFromQueue, cleanups } = useAsteriskHarness();

describe('Asterisk shutdown while an outbound call is still ringing', () => {
  it("the transport's stop hangs up the ringing channel and ends the call", async () => {
    const s = await setup({ ports: 1, originate: () => 'hold' });
    const activeBefore = await getActiveCallCount(media().db, media().tenantId);
    const { call, command } = await outboundCall('+15550005555');
    await s.asterisk.originate(command);
    const channelId = `ai-caller-out-${call.id}`;
    await s.ari.waitUntil(() => s.ari.channels.get(channelId)?.state === 'Ringing');
    expect((await media().callRecord(call.id))?.status).toBe('ringing');
    expect(s.asterisk.outbound.ringing).toBe(1);
    expect(s.asterisk.ports?.inUse).toBe(1);
    expect(s.service.registry.snapshot().liveCalls).toBe(1);

    await s.asterisk.stop();
    await expectEndedByShutdown(media(), s.ari, call.id, activeBefore);
    expect(s.asterisk.outbound.ringing).toBe(0);
    expect(s.asterisk.ports?.inUse).toBe(0);
    expect(s.service.registry.snapshot().liveCalls).toBe(0);
    expect(s.asterisk.connection.state).toBe('stopped');
  });

  it('the media service drain (production wiring) ends a call dialed from the queue', async () => {
    const peer = await startRtpPeer();
    const ari = await startFakeAriServer({
      rtpPeerFor: () => ({ address: peer.address, port: peer.port }),
      originateOutcome: () => 'hold',
    });
    const range = await freePortRange(4);
    // createMediaService starts the Asterisk transport and the media command consumer (ARI_URL set).
    const { service } = await media().startService({
      ARI_URL: ari.url,
      ARI_USERNAME: ari.username,
      ARI_PASSWORD: ari.password,
      RTP_PORT_MIN: String(range.min),
      RTP_PORT_MAX: String(range.max),
    });
    cleanups.push(
      () => peer.close(),
      () => ari.close(),
    );
    const { call, activeBefore } = await dialFromQueue(ari, '+15550005556');
    expect(service.registry.snapshot().liveCalls).toBe(1);

    await service.drain(0);
    await expectEndedByShutdown(media(), ari, call.id, activeBefore);
    expect(service.registry.snapshot()).toMatchObject({ liveCalls: 0, draining: true });
    expect(ari.eventSockets).toBe(0);
  });
});
