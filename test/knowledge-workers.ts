import { ALL_QUEUES, QUEUES } from '#shared/queues/definitions.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { startQueuePoller } from '../infra/local/queue-poller.ts';
import { rootDir, type TestPlatform } from './platform.ts';

/**
 * Test-only: the two knowledge consumers polling their queues the way Lambda would (the local
 * poller with the real handlers). Stopping them is a crash of the consumers: whatever was
 * received and not finished comes back after the visibility timeout.
 */
export function startKnowledgeWorkers(platform: TestPlatform) {
  const sqs = createSqsClient({ endpoint: platform.env.SQS_ENDPOINT });
  const logger = createLogger({ level: 'error' });
  const pollers = [QUEUES.knowledgeCrawl, QUEUES.knowledgeIndex].map((definition) =>
    startQueuePoller({
      sqs,
      queueUrl: platform.env[definition.urlEnv] as string,
      definition: ALL_QUEUES.find((q) => q.id === definition.id) ?? definition,
      rootDir,
      logger,
    }),
  );
  return {
    async stop() {
      await Promise.all(pollers.map((p) => p.stop()));
      sqs.destroy();
    },
  };
}

/** Polls `read` until `done` says yes (the sync API is the event source here), failing after `timeoutMs`. */
export async function waitUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
