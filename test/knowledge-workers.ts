import { afterAll, beforeAll } from 'vitest';
import { ALL_QUEUES, QUEUES } from '#shared/queues/definitions.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { startQueuePoller } from '../infra/local/queue-poller.ts';
import { type FakeEmbeddings, startFakeEmbeddings } from '../fakes/knowledge/embeddings-server.ts';
import { type ApiClient, apiClient } from './functions/api-test-client.ts';
import { createTestTenant, rootDir, startTestPlatform, type TestPlatform } from './platform.ts';

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

export interface KnowledgePlatform {
  platform: TestPlatform;
  embeddings: FakeEmbeddings;
  tenantId: string;
  api: ApiClient;
}

/**
 * Test-only: what every knowledge test starts from, in the file's `beforeAll` (registered first,
 * so the file's own hooks can use it) and stopped in `afterAll`: a test platform whose OpenAI
 * endpoint is the fake embeddings server, one tenant and its API client. `env` adds the file's own
 * settings. The object is filled in once the platform has started.
 */
export function useKnowledgePlatform(
  options: Parameters<typeof startTestPlatform>[0] = {},
): KnowledgePlatform {
  const knowledge = {} as KnowledgePlatform;
  beforeAll(async () => {
    const embeddings = await startFakeEmbeddings();
    const platform = await startTestPlatform({
      ...options,
      env: { OPENAI_API_KEY: embeddings.apiKey, OPENAI_BASE_URL: embeddings.baseUrl, ...options.env },
    });
    const tenant = await createTestTenant();
    Object.assign(knowledge, {
      platform,
      embeddings,
      tenantId: tenant.tenant.id,
      api: apiClient(platform.apiUrl, tenant.apiKey),
    });
  }, 60_000);
  afterAll(async () => {
    await knowledge.platform?.stop();
    await knowledge.embeddings?.close();
  });
  return knowledge;
}
