import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadRecording } from '../../test/fixtures/asterisk-22/recordings.ts';
import { type FakeAriServer, startFakeAriServer } from './ari-server.ts';

/**
 * The fake must behave like the recorded Asterisk 22.10.1: same status codes and bodies for the
 * REST calls of an AI bridge, same event order, and the same addChannel race.
 */
const fakes: FakeAriServer[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function connect(options: Parameters<typeof startFakeAriServer>[0] = {}) {
  const fake = await startFakeAriServer(options);
  fakes.push(fake);
  const auth = `Basic ${Buffer.from(`${fake.username}:${fake.password}`).toString('base64')}`;
  const events: { type: string; [key: string]: unknown }[] = [];
  const waiters: (() => void)[] = [];
  const ws = new WebSocket(`${fake.url.replace('http', 'ws')}/ari/events?app=test-app`, {
    headers: { authorization: auth },
  });
  ws.on('message', (data) => {
    events.push(JSON.parse(data.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise((resolve) => ws.once('open', resolve));
  fakes.push({ close: async () => ws.close() } as FakeAriServer);
  const rest = async (method: string, path: string) => {
    const response = await fetch(`${fake.url}/ari${path}`, { method, headers: { authorization: auth } });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const eventOf = async (match: (e: { type: string; [key: string]: unknown }) => boolean) => {
    while (!events.some(match)) await new Promise<void>((resolve) => waiters.push(resolve));
    return events.find(match)!;
  };
  return { fake, rest, events, eventOf };
}

describe('fake ARI server against the Asterisk 22.10.1 recordings', () => {
  it('answers the recorded inbound flow with the recorded status codes and shapes', async () => {
    const recorded = loadRecording('ari-ulaw');
    const { fake, rest, eventOf } = await connect();
    const caller = fake.placeInboundCall({
      app: 'test-app',
      exten: '15550009999',
      callerNumber: '5557654321',
    });
    const start = await eventOf((e) => e.type === 'StasisStart');
    expect(start).toMatchObject({
      args: ['inbound', '15550009999'],
      channel: { state: 'Ring', caller: { number: '5557654321' } },
    });

    const answered = await rest('POST', `/channels/${caller.id}/answer`);
    const bridge = await rest('POST', '/bridges?type=mixing&name=capture');
    const media = await rest(
      'POST',
      '/channels/externalMedia?app=test-app&external_host=127.0.0.1:40010&format=ulaw&encapsulation=rtp&transport=udp&direction=both',
    );
    await eventOf((e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === media.body.id);
    const added = await rest(
      'POST',
      `/bridges/${bridge.body.id}/addChannel?channel=${caller.id},${media.body.id}`,
    );
    const variable = await rest('GET', `/channels/${media.body.id}/variable?variable=UNICASTRTP_LOCAL_PORT`);
    const hangups = [
      await rest('DELETE', `/channels/${caller.id}`),
      await rest('DELETE', `/channels/${media.body.id}`),
    ];
    const destroyed = await rest('DELETE', `/bridges/${bridge.body.id}`);
    const channelsAfter = await rest('GET', '/channels');

    const status = (path: RegExp) => recorded.rest.find((r) => path.test(r.path))!.status;
    expect(answered.status).toBe(status(/\/answer$/));
    expect(bridge.status).toBe(status(/^\/bridges\?type=mixing/));
    expect(media.status).toBe(status(/^\/channels\/externalMedia/));
    expect(added.status).toBe(status(/addChannel/));
    expect(variable).toEqual({ status: 200, body: { value: media.body.channelvars.UNICASTRTP_LOCAL_PORT } });
    expect(hangups.map((h) => h.status)).toEqual([204, 204]);
    expect(destroyed.status).toBe(204);
    expect(channelsAfter.body).toEqual([]);

    const recordedMedia = recorded.rest.find((r) => r.path.startsWith('/channels/externalMedia'))!
      .body as Record<string, unknown>;
    expect(Object.keys(media.body).sort()).toEqual(Object.keys(recordedMedia).sort());
    expect(Object.keys(media.body.channelvars).sort()).toEqual([
      'UNICASTRTP_LOCAL_ADDRESS',
      'UNICASTRTP_LOCAL_PORT',
    ]);
    expect(media.body.name).toMatch(/^UnicastRTP\/127\.0\.0\.1:40010-0x[0-9a-f]+$/);
    expect(Object.keys(bridge.body).sort()).toEqual(
      Object.keys(recorded.rest.find((r) => r.path.startsWith('/bridges?'))!.body as object).sort(),
    );
  });

  it('replays the addChannel race: 422 "Channel not in Stasis application", then the StasisStart', async () => {
    const race = loadRecording('ari-ulaw-addchannel-race');
    const refusedRecorded = race.rest.find((r) => r.path.includes('addChannel'))!;
    const { fake, rest, eventOf } = await connect({ addChannelRace: true });
    const caller = fake.placeInboundCall({
      app: 'test-app',
      exten: '15550009999',
      callerNumber: '5557654321',
    });
    await rest('POST', `/channels/${caller.id}/answer`);
    const bridge = await rest('POST', '/bridges?type=mixing');
    const media = await rest(
      'POST',
      '/channels/externalMedia?app=test-app&external_host=127.0.0.1:40010&format=ulaw',
    );
    const refused = await rest(
      'POST',
      `/bridges/${bridge.body.id}/addChannel?channel=${caller.id},${media.body.id}`,
    );
    expect(refused).toEqual({ status: refusedRecorded.status, body: refusedRecorded.body });
    const mediaStart = await eventOf(
      (e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === media.body.id,
    );
    expect(mediaStart.args).toEqual([]);
    expect(
      await rest('POST', `/bridges/${bridge.body.id}/addChannel?channel=${caller.id},${media.body.id}`),
    ).toEqual({ status: 204, body: null });
  });

  it('tears a hung-up caller down in the recorded order', async () => {
    const recordedOrder = loadRecording('ari-ulaw')
      .events.filter((e) => (e.event.channel as { id?: string } | undefined)?.id === '1795317872.2')
      .map((e) => e.event.type)
      .filter((type) =>
        ['ChannelHangupRequest', 'ChannelLeftBridge', 'StasisEnd', 'ChannelDestroyed'].includes(type),
      );
    const { fake, rest, events, eventOf } = await connect();
    const media = await rest(
      'POST',
      '/channels/externalMedia?app=test-app&external_host=127.0.0.1:40010&format=ulaw',
    );
    await eventOf((e) => e.type === 'StasisStart');
    const bridge = await rest('POST', '/bridges?type=mixing');
    await rest('POST', `/bridges/${bridge.body.id}/addChannel?channel=${media.body.id}`);
    fake.hangUp(media.body.id);
    await eventOf((e) => e.type === 'ChannelDestroyed');
    const order = events
      .filter((e) => (e.channel as { id?: string } | undefined)?.id === media.body.id)
      .map((e) => e.type)
      .filter((type) => recordedOrder.includes(type));
    expect(order).toEqual(recordedOrder);
  });

  it('refuses requests and event sockets without the ARI credentials', async () => {
    const fake = await startFakeAriServer();
    fakes.push(fake);
    expect((await fetch(`${fake.url}/ari/channels`)).status).toBe(401);
    const ws = new WebSocket(`${fake.url.replace('http', 'ws')}/ari/events?app=x&api_key=wrong:creds`);
    const outcome = await new Promise((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});
