import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createLogger } from '#shared/logging/logger.ts';
import type { QueueDefinition } from '#shared/queues/definitions.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import { deliveries } from '../../test/fixtures/consumers/recording-consumer.ts';
import { rootDir } from '../../test/platform.ts';
import { type QueuePoller, startQueuePoller } from './queue-poller.ts';
import { ensureQueues } from './sqs-local.ts';

const definition: QueueDefinition = {
  id: 'PollerTest',
  urlEnv: 'QUEUE_POLLER_TEST_URL',
  consumer: {
    handler: 'test/fixtures/consumers/recording-consumer.ts',
    grants: {},
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
  },
  visibilityTimeoutSeconds: 1,
  maxReceiveCount: 2,
  consumerTimeoutSeconds: 5,
};

const sqs = createSqsClient({ endpoint: inject('sqsEndpoint') });
let urls: Record<string, string>;
let poller: QueuePoller;

/** Resolves when `predicate` holds, checking after each poll; fails after `ms`. */
async function eventually(predicate: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  urls = await ensureQueues(sqs, [definition], `poller${Date.now()}`);
  poller = startQueuePoller({
    sqs,
    queueUrl: urls.QUEUE_POLLER_TEST_URL as string,
    definition,
    rootDir,
    logger: createLogger({ level: 'error' }),
  });
});
afterAll(async () => {
  await poller?.stop();
  sqs.destroy();
});

const send = (body: unknown) =>
  sqs.send(
    new SendMessageCommand({ QueueUrl: urls.QUEUE_POLLER_TEST_URL, MessageBody: JSON.stringify(body) }),
  );
const count = (id: string) => deliveries.filter((d) => d.id === id).length;

describe('local SQS poller (what Lambda event source mappings do)', () => {
  it('delivers real SQS records, deletes successes, redelivers reported failures and dead-letters them', async () => {
    await send({ id: 'ok-1' });
    await send({ id: 'poison', fail: true });
    await send({ id: 'flaky', failUntilReceive: 2 });
    await eventually(() => count('flaky') >= 2 && count('poison') >= 2);
    expect(deliveries.find((d) => d.id === 'ok-1')?.eventSourceARN).toMatch(/^arn:aws:sqs:/);

    // The poison message reaches the DLQ after maxReceiveCount deliveries; the others are gone.
    let dlqBodies: string[] = [];
    await eventually(async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: urls.QUEUE_POLLER_TEST_DLQ_URL,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      dlqBodies = dlqBodies.concat((out.Messages ?? []).map((m) => m.Body ?? ''));
      return dlqBodies.length > 0;
    });
    expect(dlqBodies.map((b) => JSON.parse(b).id)).toEqual(['poison']);
    expect(count('ok-1')).toBe(1);
    expect(count('flaky')).toBe(2);
    expect(count('poison')).toBe(2);
  });

  it('retries the whole batch when the consumer throws', async () => {
    await send({ id: 'crash', throw: true });
    await eventually(() => count('crash') >= 2);
    expect(
      deliveries
        .filter((d) => d.id === 'crash')
        .map((d) => d.receiveCount)
        .slice(0, 2),
    ).toEqual([1, 2]);
  });
});
