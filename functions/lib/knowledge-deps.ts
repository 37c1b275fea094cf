import { secrets } from '#shared/config/secrets.ts';
import { DEFAULT_RETRY_POLICY } from '#shared/knowledge/crawl/backoff.ts';
import type { CrawlDeps } from '#shared/knowledge/crawl/crawl-context.ts';
import { createEmbedder, type Embedder } from '#shared/knowledge/index/embeddings.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { hasPrefix } from '#shared/ids/ids.ts';
import type { KnowledgeDeps } from '#shared/knowledge/knowledge-operations.ts';
import { knowledgeStorageFromEnv } from '#shared/knowledge/knowledge-storage.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import type { HttpRequest } from './http-types.ts';

/** The platform's one outbound-target policy: private crawl targets only on the local stage. */
export function allowPrivateCrawlTargets(): boolean {
  return env().outboundPolicy.allowPrivate;
}

export function knowledgeDepsFromEnv(): KnowledgeDeps {
  return {
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    storage: knowledgeStorageFromEnv(),
    allowPrivateTargets: allowPrivateCrawlTargets(),
  };
}

/** `{syncId}` of the sync routes; an id of the wrong kind is simply not found. */
export function syncIdOf(request: HttpRequest): string {
  const id = request.pathParams.syncId ?? '';
  if (!hasPrefix(id, 'knowledgeSync')) throw new NotFoundError('Sync not found.');
  return id;
}

let embedder: Promise<Embedder> | undefined;

/** The embeddings client, built once per process with the key from the secret store. */
export function embedderFromEnv(): Embedder {
  embedder ??= (async () => {
    const config = env();
    return createEmbedder({
      apiKey: await secrets().require('OPENAI_API_KEY'),
      baseUrl: config.OPENAI_BASE_URL,
      model: config.OPENAI_EMBEDDING_MODEL,
      dimensions: config.OPENAI_EMBEDDING_DIMENSIONS,
    });
  })().catch((error) => {
    embedder = undefined;
    throw error;
  });
  return async (texts) => (await (embedder as Promise<Embedder>))(texts);
}

export function crawlDepsFromEnv(): CrawlDeps {
  const config = env();
  return {
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    storage: knowledgeStorageFromEnv(),
    embed: embedderFromEnv(),
    allowPrivate: allowPrivateCrawlTargets(),
    fetchTimeoutMs: config.KNOWLEDGE_FETCH_TIMEOUT_MS,
    maxPageBytes: config.KNOWLEDGE_MAX_PAGE_BYTES,
    crawlDelayMs: config.KNOWLEDGE_CRAWL_DELAY_MS,
    hostConcurrency: config.KNOWLEDGE_HOST_CONCURRENCY,
    retry: {
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: config.KNOWLEDGE_RETRY_MAX_ATTEMPTS,
      baseDelayMs: config.KNOWLEDGE_RETRY_BASE_MS,
    },
  };
}
