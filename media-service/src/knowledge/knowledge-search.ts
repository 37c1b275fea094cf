import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Env } from '#shared/config/env.ts';
import type { SecretStore } from '#shared/config/secrets.ts';
import type { Db } from '#shared/data/client.ts';
import { createEmbedder, type Embedder } from '#shared/knowledge/index/embeddings.ts';
import { KnowledgeIndexCache, type PinnedIndex } from '#shared/knowledge/index/index-cache.ts';
import type { SearchHit } from '#shared/knowledge/index/lance-index.ts';
import { searchKnowledge } from '#shared/knowledge/index/search-knowledge.ts';
import { getKnowledgeBase } from '#shared/knowledge/knowledge-base-store.ts';
import { createKnowledgeStorage } from '#shared/knowledge/knowledge-storage.ts';

/**
 * Knowledge retrieval inside one media task: index versions cached on local disk and kept open
 * per tenant (see KnowledgeIndexCache), and one embeddings client. A call pins the versions
 * published when it starts and warms them, so its first question does not wait for S3.
 */
export class KnowledgeSearch {
  private readonly db: Db;
  private readonly cache: KnowledgeIndexCache;
  private readonly embed: Embedder;

  constructor(options: { db: Db; cache: KnowledgeIndexCache; embed: Embedder }) {
    this.db = options.db;
    this.cache = options.cache;
    this.embed = options.embed;
  }

  /** The published versions of the agent's knowledge bases, warmed; bases without an index are left out. */
  async pinAndWarm(tenantId: string, agent: Agent): Promise<PinnedIndex[]> {
    const bases = await Promise.all(
      (agent.knowledgeBaseIds ?? []).map((id) => getKnowledgeBase(this.db, tenantId, id)),
    );
    const pins = bases
      .filter((kb) => kb?.indexVersion !== undefined)
      .map((kb) => ({ tenantId, kbId: kb?.id as string, version: kb?.indexVersion as number }));
    await this.cache.warm(pins);
    return pins;
  }

  search(pins: PinnedIndex[], query: string, topK: number): Promise<SearchHit[]> {
    return searchKnowledge({ cache: this.cache, embed: this.embed, pins, query, topK });
  }

  close(): void {
    this.cache.close();
  }
}

/** The media task's retrieval from its configuration (embeddings key read lazily from the secret store). */
export function createKnowledgeSearch(options: { env: Env; db: Db; secrets: SecretStore }): KnowledgeSearch {
  const { env } = options;
  let embedder: Promise<Embedder> | undefined;
  const embed: Embedder = async (texts) => {
    embedder ??= options.secrets
      .require('OPENAI_API_KEY')
      .then((apiKey) =>
        createEmbedder({
          apiKey,
          baseUrl: env.OPENAI_BASE_URL,
          model: env.OPENAI_EMBEDDING_MODEL,
          dimensions: env.OPENAI_EMBEDDING_DIMENSIONS,
        }),
      )
      .catch((error) => {
        embedder = undefined;
        throw error;
      });
    return (await embedder)(texts);
  };
  const storage = createKnowledgeStorage({
    bucket: env.KNOWLEDGE_BUCKET,
    endpoint: env.S3_ENDPOINT,
    region: env.AWS_REGION,
  });
  return new KnowledgeSearch({
    db: options.db,
    cache: new KnowledgeIndexCache({ storage, dir: env.KNOWLEDGE_CACHE_DIR }),
    embed,
  });
}
