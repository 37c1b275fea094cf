import { describe, expect, it } from 'vitest';
import { findCallByProviderId, getActiveCallCount } from '#shared/data/calls.ts';
import {
  APP,
  NUMBER,
  releases,
  type Setup,
  useAsteriskHarness,
} from '../../../test/media-service/asterisk-test-harness.ts';

const { media, setup, inboundCall, outboundCall } = useAsteriskHarness();

/** Short enough for a test, long enough that a working fake always starts its channel first. */
const TIMEOUT_MS = 250;

/** Lost StasisStart for the first ExternalMedia channel only, so the next call proves recovery. */
function firstStasisLost() {
  let externalChannels = 0;
  return () => externalChannels++ === 0;
}

/** Everything of the failed call is gone from the fake Asterisk and from this task. */
async function expectReleased(s: Setup, callId: string, callerChannelId: string) {
  const hungUp = await s.ari.waitForRequest(
    (r) => r.method === 'DELETE' && r.path === `/ari/channels/${callerChannelId}`,
  );
  expect(hungUp.status).toBe(204);
  await s.ari.waitUntil(() => s.ari.bridges.size === 0 && s.ari.channels.size === 0);
  expect(releases(s.ari, callId)).toEqual({ bridge: 1, external: 1 });
  // The ExternalMedia channel was never added to the bridge: no addChannel was tried before its StasisStart.
  const adds = s.ari.requests.filter((r) => r.path === `/ari/bridges/ai-caller-bridge-${callId}/addChannel`);
  expect(adds.map((r) => r.query.get('channel'))).toEqual([callerChannelId]);
  const events = await media().eventsFor(callId, 1);
  expect(events).toEqual([expect.objectContaining({ type: 'call.ended', status: 'failed' })]);
  expect(await media().callRecord(callId)).toMatchObject({ status: 'failed', endReason: 'media_error' });
  expect(s.asterisk.ports?.inUse).toBe(0);
  expect(s.asterisk.calls.size).toBe(0);
  expect(s.service.registry.snapshot().liveCalls).toBe(0);
}

describe("Asterisk set-up when the ExternalMedia channel's StasisStart never arrives", () => {
  it('inbound: gives up, hangs up the caller, releases everything, and the next call is served', async () => {
    // One port: the next call is only answered if the failed one gave its port back.
    const s = await setup({
      ports: 1,
      withholdExternalStasis: firstStasisLost(),
      externalStasisTimeoutMs: TIMEOUT_MS,
    });
    const activeBefore = await getActiveCallCount(media().db, media().tenantId);
    const channel = s.ari.placeInboundCall({ app: APP, exten: NUMBER.slice(1), callerNumber: '5557654321' });
    await s.ari.waitForRequest((r) => r.path === '/ari/channels/externalMedia');
    const call = await findCallByProviderId(media().db, 'asterisk', channel.id);
    if (!call) throw new Error('no call record');
    await expectReleased(s, call.id, channel.id);
    expect(s.ari.requests.some((r) => r.path === `/ari/channels/${channel.id}/answer`)).toBe(true);
    expect(await getActiveCallCount(media().db, media().tenantId)).toBe(activeBefore);

    const next = await inboundCall(s);
    s.ari.hangUp(next.channel.id);
    await next.session.closed;
    expect(await media().callRecord(next.call.id)).toMatchObject({
      status: 'completed',
      endReason: 'caller_hangup',
    });
    expect(s.asterisk.ports?.inUse).toBe(0);
  });

  it('outbound: the answered call is hung up and ends as failed instead of waiting forever', async () => {
    const s = await setup({
      ports: 1,
      originate: () => 'answer',
      withholdExternalStasis: firstStasisLost(),
      externalStasisTimeoutMs: TIMEOUT_MS,
    });
    const activeBefore = await getActiveCallCount(media().db, media().tenantId);
    const { call, command } = await outboundCall('+15550006666');
    await s.asterisk.originate(command);
    await expectReleased(s, call.id, `ai-caller-out-${call.id}`);
    expect(s.asterisk.outbound.ringing).toBe(0);
    expect(await getActiveCallCount(media().db, media().tenantId)).toBe(activeBefore);

    const next = await inboundCall(s);
    await next.session.end('api_request');
    expect((await media().callRecord(next.call.id))?.status).toBe('completed');
    expect(s.asterisk.ports?.inUse).toBe(0);
  });
});
