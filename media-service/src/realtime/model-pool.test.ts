import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#shared/logging/logger.ts';
import { type FakeRealtimeServer, startFakeRealtime } from '../../../fakes/realtime/scripted-server.ts';
import { createModelPool } from './model-pool.ts';
import { connectRealtime, ModelConnectError } from './realtime-connection.ts';

let fake: FakeRealtimeServer;
const logger = createLogger({ level: 'error' });
const secrets = { get: async () => 'sk-pool' };

beforeAll(async () => {
  fake = await startFakeRealtime();
});
afterAll(() => fake?.close());

describe('connectRealtime', () => {
  it('opens a GA session: Bearer auth, ?model=, no beta header, resolves on session.created', async () => {
    const before = fake.connections.length;
    const connection = await connectRealtime({ url: fake.url, model: 'gpt-realtime-2', apiKey: 'sk-1' });
    const server = await fake.connection(before);
    expect(server.authorization).toBe('Bearer sk-1');
    expect(server.model).toBe('gpt-realtime-2');
    expect(server.betaHeader).toBeUndefined();
    connection.appendAudio('AAAA');
    expect(await server.waitFor('input_audio_buffer.append')).toEqual({
      type: 'input_audio_buffer.append',
      audio: 'AAAA',
    });
    connection.close();
    await server.closed;
  });

  it('treats an HTTP 401 on the upgrade as fatal', async () => {
    fake.rejectNextUpgrade(401);
    const error = await connectRealtime({ url: fake.url, model: 'm', apiKey: 'bad' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelConnectError);
    expect(error).toMatchObject({ reason: 'http_401', fatal: true });
  });

  it('treats an invalid_api_key error before the session as fatal, a 503 as retryable', async () => {
    fake.setConnectError('invalid_api_key');
    const fatal = await connectRealtime({ url: fake.url, model: 'm', apiKey: 'k' }).catch((e: unknown) => e);
    fake.setConnectError(undefined);
    expect(fatal).toMatchObject({ reason: 'invalid_api_key', fatal: true });
    fake.rejectNextUpgrade(503);
    const retryable = await connectRealtime({ url: fake.url, model: 'm', apiKey: 'k' }).catch(
      (e: unknown) => e,
    );
    expect(retryable).toMatchObject({ reason: 'http_503', fatal: false });
  });

  it('reports malformed frames and the close to the attached listener', async () => {
    const before = fake.connections.length;
    const connection = await connectRealtime({ url: fake.url, model: 'm', apiKey: 'k' });
    const server = await fake.connection(before);
    const seen: string[] = [];
    const closed = new Promise<number>((resolve) =>
      connection.attach({
        event: (event) => seen.push(event.type),
        malformed: (problem) => seen.push(`malformed: ${problem}`),
        closed: (code) => resolve(code),
      }),
    );
    server.sendRaw('nope');
    server.send({ type: 'brand.new_event' });
    server.speechStarted('item_1');
    server.close(1001, 'Your session hit the maximum duration of 60 minutes.');
    expect(await closed).toBe(1001);
    expect(seen).toEqual(['malformed: not JSON', 'input_audio_buffer.speech_started']);
  });
});

describe('model pool', () => {
  it('keeps sockets warm, hands one out unconfigured, refills, and recycles idle ones', async () => {
    const before = fake.connections.length;
    const pool = createModelPool({
      url: fake.url,
      model: 'gpt-realtime-2',
      secrets,
      logger,
      size: 2,
      maxIdleMs: 60_000,
    });
    await fake.connection(before + 1);
    const taken = await pool.acquire();
    expect(taken.isOpen).toBe(true);
    expect(fake.connections.slice(before).every((c) => c.received.length === 0)).toBe(true);
    await fake.connection(before + 2); // refilled behind the acquire
    // A warm socket the server closes is replaced.
    fake.connections[before + 1]?.close(1001, 'bye');
    await fake.connection(before + 3);
    pool.close();
    taken.close();
  });

  it('replaces idle sockets after maxIdleMs', async () => {
    const before = fake.connections.length;
    const pool = createModelPool({ url: fake.url, model: 'm', secrets, logger, size: 1, maxIdleMs: 50 });
    const first = await fake.connection(before);
    await first.closed; // recycled
    await fake.connection(before + 1);
    pool.close();
    expect(pool.snapshot()).toEqual({ warm: 0, target: 1 });
  });

  it('acquires a fresh socket for another model and refuses without a key for OpenAI', async () => {
    const pool = createModelPool({ url: fake.url, model: 'm', secrets, logger, size: 0, maxIdleMs: 1_000 });
    const before = fake.connections.length;
    const other = await pool.acquire('gpt-realtime-2.1-mini');
    expect((await fake.connection(before)).model).toBe('gpt-realtime-2.1-mini');
    other.close();
    const keyless = createModelPool({
      url: 'wss://api.openai.com/v1/realtime',
      model: 'm',
      secrets: { get: async () => undefined },
      logger,
      size: 0,
      maxIdleMs: 1_000,
    });
    await expect(keyless.acquire()).rejects.toMatchObject({ reason: 'missing_api_key', fatal: true });
  });
});
