import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '#shared/logging/logger.ts';
import { startFakeAriServer } from '../../../fakes/asterisk/ari-server.ts';
import { type AriConnectionState, connectAri } from './ari-connection.ts';
import type { AriEvent } from './ari-events.ts';
import { AriRequestError } from './ari-rest.ts';

const logger = createLogger({ level: 'error', write: () => undefined });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const fake = await startFakeAriServer();
  const events: AriEvent[] = [];
  const states: AriConnectionState[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const ari = connectAri({
    url: fake.url,
    username: fake.username,
    password: fake.password,
    app: 'ai-caller',
    logger,
    reconnect: { initialMs: 20, maxMs: 100 },
    breaker: { failureThreshold: 2, openMs: 60_000 },
    requestTimeoutMs: 500,
    onEvent: (event) => {
      events.push(event);
      wake();
    },
    onStateChange: (state) => {
      states.push(state);
      wake();
    },
  });
  cleanups.push(
    () => fake.close(),
    () => ari.stop(),
  );
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  await ari.ready;
  return { fake, ari, events, states, until };
}

describe('ARI connection (ari-client against the fake Asterisk 22 server)', () => {
  it('loads the API from the Swagger documents, registers the app, and delivers events', async () => {
    const { fake, ari, events, until } = await setup();
    expect(ari.state).toBe('connected');
    expect(ari.health()).toMatchObject({ status: 'ok' });
    expect(fake.requests.filter((r) => r.path.startsWith('/ari/api-docs/')).map((r) => r.path)).toContain(
      '/ari/api-docs/events.json',
    );
    const caller = fake.placeInboundCall({
      app: 'ai-caller',
      exten: '15550009999',
      callerNumber: '5557654321',
    });
    await until(() => events.some((e) => e.type === 'StasisStart'));
    expect(events[0]).toMatchObject({
      type: 'StasisStart',
      args: ['inbound', '15550009999'],
      channel: { id: caller.id },
    });
    await ari.rest.answer(caller.id);
    expect(fake.channels.get(caller.id)?.state).toBe('Up');
  });

  it('survives unknown event types and garbage on the events socket', async () => {
    const { fake, ari, events, until } = await setup();
    fake.emitRaw(JSON.stringify({ type: 'ChannelFromTheFuture', channel: { id: 'x', name: 'y' } }));
    fake.emitRaw('not json at all');
    fake.emitRaw('[]');
    fake.emit('ChannelVarset', { variable: 'X', value: '1' });
    await until(() => events.length >= 2);
    expect(events).toEqual([
      { type: 'other', name: 'ChannelFromTheFuture' },
      { type: 'other', name: 'ChannelVarset' },
    ]);
    expect(ari.state).toBe('connected');
  });

  it('reconnects with backoff when the events socket drops, and health reports it meanwhile', async () => {
    const { fake, ari, states, events, until } = await setup();
    fake.dropEventSockets(true);
    await until(() => states.includes('reconnecting'));
    expect(ari.health()).toMatchObject({ status: 'down', error: 'ari_reconnecting' });
    const refusedBefore = fake.eventSocketsOpened;
    fake.acceptEventSockets();
    await until(() => states.at(-1) === 'connected');
    expect(fake.eventSocketsOpened).toBe(refusedBefore + 1);
    expect(ari.health()).toMatchObject({ status: 'ok' });
    fake.placeInboundCall({ app: 'ai-caller', exten: '100', callerNumber: '200' });
    await until(() => events.some((e) => e.type === 'StasisStart'));
  });

  it('translates Asterisk answers into stable kinds', async () => {
    const { ari, fake } = await setup();
    const missing = await ari.rest.answer('no-such-channel').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(AriRequestError);
    expect(missing).toMatchObject({ kind: 'not_found', operation: 'answer' });
    const bridge = await ari.rest.createBridge({ bridgeId: 'b1', name: 'ai-caller:call_1' });
    const external = await ari.rest.externalMedia({
      app: 'ai-caller',
      externalHost: '127.0.0.1:4000',
      format: 'ulaw',
      channelId: 'ext-1',
    });
    expect(external).toMatchObject({ id: 'ext-1', rtpAddress: '127.0.0.1', rtpPort: 10090 });
    expect(external.name.startsWith('UnicastRTP/127.0.0.1:4000-0x')).toBe(true);
    await ari.rest.destroyBridge(bridge.id);
    expect(fake.bridges.size).toBe(0);
  });

  it('opens the circuit when Asterisk stops answering and fails fast', async () => {
    const { ari, fake } = await setup();
    await fake.close();
    for (let i = 0; i < 2; i++)
      await expect(ari.rest.listChannels()).rejects.toMatchObject({ kind: 'unreachable' });
    const before = Date.now();
    const fastFail = await ari.rest.listChannels().catch((e: unknown) => e);
    expect(fastFail).toMatchObject({ kind: 'unreachable', message: expect.stringContaining('paused') });
    expect(Date.now() - before).toBeLessThan(1_000);
  });
});
