import { describe, expect, it } from 'vitest';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { findCallByProviderId } from '#shared/data/calls.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { startFakeAriServer } from '../../../fakes/asterisk/ari-server.ts';
import { startRtpPeer } from '../../../fakes/asterisk/rtp-peer.ts';
import type { CallSession } from '../session/call-session.ts';
import {
  APP,
  freePortRange,
  type InboundCall,
  releases,
  type Setup,
  useAsteriskHarness,
} from '../../../test/media-service/asterisk-test-harness.ts';

const { media, setup, inboundCall, cleanups } = useAsteriskHarness();

describe('Asterisk hang-up paths: each releases bridge, ExternalMedia channel and port exactly once', () => {
  it.each([
    ['caller hangs up', 'caller_hangup', (s: Setup, c: InboundCall) => s.ari.hangUp(c.channel.id)],
    [
      'call.end through the session (API)',
      'api_request',
      (_s: Setup, c: InboundCall) => void c.session.end('api_request'),
    ],
    [
      'the model ends the call',
      'agent_hangup',
      (_s: Setup, c: InboundCall) => {
        c.model.responseCreated('resp_x');
        c.model.functionCall('resp_x', 'fc_1', 'end_call', { reason: 'done' });
        c.model.responseDone('resp_x');
      },
    ],
    [
      'the ExternalMedia channel dies',
      'media_error',
      (s: Setup, c: InboundCall) => s.ari.hangUp(`ai-caller-media-${c.call.id}`),
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
    const record = await media().callRecord(c.call.id);
    expect(record?.endReason).toBe(endReason);
    const released = releases(s.ari, c.call.id);
    expect(released.bridge).toBe(1);
    expect(released.external).toBeLessThanOrEqual(1);
    expect(s.asterisk.ports?.inUse).toBe(0);
    expect(s.asterisk.calls.size).toBe(0);
  });

  it('after an Asterisk outage that ended a call, releases its bridge and channels once ARI is back', async () => {
    const s = await setup();
    const c = await inboundCall(s);
    s.ari.setRestDown(true);
    s.ari.dropEventSockets(true);
    await c.session.closed;
    expect((await media().callRecord(c.call.id))?.endReason).toBe('media_error');
    expect(s.ari.bridges.size).toBe(1);
    expect(s.asterisk.ports?.inUse).toBe(0);
    s.ari.setRestDown(false);
    s.ari.acceptEventSockets();
    await s.ari.waitUntil(() => s.ari.bridges.size === 0 && s.ari.channels.size === 0);
    expect(s.asterisk.connection.state).toBe('connected');
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
    expect((await media().callRecord(c.call.id))?.endReason).toBe('caller_hangup');
    expect(s.asterisk.ports?.inUse).toBe(0);
  });

  it('cold transfer: the caller continues in the dialplan, our side is released, the caller is not hung up', async () => {
    const agent = await media().newAgent({ transferNumber: '+15550004444' });
    await createPhoneNumber(media().db, {
      tenantId: media().tenantId,
      number: '+15550007777',
      agentId: agent.id,
      provider: 'asterisk',
    });
    const s = await setup();
    const before = media().realtime.connections.length;
    const channel = s.ari.placeInboundCall({ app: APP, exten: '15550007777', callerNumber: '5557654321' });
    const model = await media().realtime.nextConfigured(before);
    await model.waitFor('response.create');
    const call = (await findCallByProviderId(media().db, 'asterisk', channel.id))!;
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
    expect((await media().callRecord(call.id))?.endReason).toBe('transferred');
    await s.ari.waitUntil(() => s.ari.bridges.size === 0);
    expect(s.ari.channels.has(channel.id)).toBe(true);
    expect(s.ari.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(channel.id))).toBe(false);
    expect(releases(s.ari, call.id)).toEqual({ bridge: 1, external: 1 });
    expect(s.asterisk.ports?.inUse).toBe(0);
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
    const { service, baseUrl } = await media().startService(
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
