import { describe, expect, it } from 'vitest';
import { findCallByProviderId } from '#shared/data/calls.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { startFakeAriServer } from '../../../fakes/asterisk/ari-server.ts';
import {
  APP,
  NUMBER,
  PERCALL_PASSWORD,
  PERCALL_USER,
  usePerCallHarness,
} from '../../../test/media-service/asterisk-percall-harness.ts';

const { media } = usePerCallHarness();

describe('the media service in per-call mode (production wiring)', () => {
  it('serves /asterisk/ari from its environment, runs a call, and answers 503 to Asterisk once draining', async () => {
    const ari = await startFakeAriServer({});
    try {
      const { service, baseUrl } = await media().startService(
        {
          ASTERISK_MODE: 'per_call',
          ARI_URL: ari.url,
          ARI_USERNAME: ari.username,
          ARI_APP: APP,
          ASTERISK_PERCALL_USERNAME: PERCALL_USER,
          ARI_PASSWORD: ari.password,
          ASTERISK_PERCALL_PASSWORD: PERCALL_PASSWORD,
        },
        { goodbyeTimeoutMs: 100, queueUrls: { ...queueUrlsFromEnv(), mediaCommands: undefined } },
      );
      ari.enablePerCall({
        app: APP,
        targets: [`${baseUrl.replace(/^http/, 'ws')}/asterisk/ari`],
        username: PERCALL_USER,
        password: PERCALL_PASSWORD,
        stasisDelayMs: 5,
      });
      const before = media().realtime.connections.length;
      const caller = ari.placeInboundCall({ app: APP, exten: NUMBER.slice(1), callerNumber: '5557654321' });
      const model = await media().realtime.nextConfigured(before);
      await model.waitFor('response.create');
      const call = (await findCallByProviderId(media().db, 'asterisk', caller.id))!;
      expect(service.registry.get(call.id)).toBeDefined();
      // No RTP anywhere: the call's media is a chan_websocket socket.
      expect(ari.mediaSockets.has(`ai-caller-media-${call.id}`)).toBe(true);

      service.registry.startDraining();
      ari.placeInboundCall({ app: APP, exten: NUMBER.slice(1), callerNumber: '5550000004' });
      await ari.waitUntil(() => ari.perCallRefusals.length === 1);
      expect(ari.perCallRefusals).toEqual([503]);
      expect(service.registry.get(call.id)).toBeDefined();

      ari.hangUp(caller.id);
      await ari.waitUntil(() => ari.bridges.size === 0 && !ari.channels.has(`ai-caller-media-${call.id}`));
      await service.drain(1_000);
    } finally {
      await ari.close();
    }
  });
});
