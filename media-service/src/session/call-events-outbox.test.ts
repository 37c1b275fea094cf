import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDue } from '#shared/data/due-index.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { publishDeferredEvents } from '#shared/queues/durable-publish.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { createSqsClient, sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';

let harness: MediaHarness;
/** An SQS endpoint that accepts connections and never answers (a queue that is unreachable). */
let blackhole: Server;
const held: Socket[] = [];

beforeAll(async () => {
  harness = await startMediaHarness();
  blackhole = createServer((socket) => {
    held.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
}, 60_000);
afterAll(async () => {
  for (const socket of held) socket.destroy();
  blackhole?.close();
  await harness?.stop();
});

describe('call events while the queue is unreachable', () => {
  it('the call starts and ends without waiting on SQS; its events are kept and published later', async () => {
    const address = blackhole.address() as { port: number };
    const { service, streamUrl } = await harness.startService(
      { SQS_PUBLISH_TIMEOUT_MS: '300' },
      { sqs: createSqsClient({ endpoint: `http://127.0.0.1:${address.port}` }) },
    );
    const { call, token } = await harness.newCall();
    const before = harness.realtime.connections.length;
    const client = await harness.connect(streamUrl, token, call, { autoPlay: true });
    const model = await harness.realtime.nextConfigured(before);
    await model.waitFor('response.create');

    client.stop();
    await expect.poll(async () => (await harness.callRecord(call.id))?.status).toBe('completed');
    await expect.poll(() => service.registry.snapshot().liveCalls).toBe(0);
    expect(held.length).toBeGreaterThan(0); // the publishes really went to the dead endpoint

    const deferred = (await listDue(harness.db, 'outbox', new Date(), 100))
      .map((item) => JSON.parse(String(item.body)) as { type: string; callId: string })
      .filter((event) => event.callId === call.id);
    expect(deferred.map((event) => event.type).sort()).toEqual(['call.ended', 'call.started']);

    // The retry path (the sweeper) sends them once the queue is back, with their original ids.
    const logger = createLogger({ level: 'error' });
    const result = await publishDeferredEvents({
      db: harness.db,
      sqs: sqsFromEnv(),
      queueUrls: queueUrlsFromEnv(),
      logger,
    });
    expect(result.published).toBeGreaterThanOrEqual(2);
    const events = await harness.eventsFor(call.id, 2);
    expect(events.map((event) => event.type).sort()).toEqual(['call.ended', 'call.started']);
    expect(events.map((event) => event.eventId).sort()).toEqual(
      deferred.map((event) => (event as unknown as { eventId: string }).eventId).sort(),
    );
    const left = (await listDue(harness.db, 'outbox', new Date(), 100)).filter((item) =>
      String(item.body).includes(call.id),
    );
    expect(left).toEqual([]);
  }, 40_000);
});
