import type { Chunk } from '../crawl/chunk-text.ts';
import { getJson, headObject, type KnowledgeStorage, putJson, storageKeys } from '../knowledge-storage.ts';
import { decodeVector, type Embedder, encodeVector } from './embeddings.ts';

/**
 * The chunks of one content version with their vectors, stored once under its content hash: a
 * page whose content did not change is never chunked or embedded again, and publishing an index
 * version reads vectors from here instead of calling the API.
 */
export interface ChunkArtifact {
  title: string;
  chunks: { text: string; heading: string; vector: string }[];
}

export interface StoredChunk {
  text: string;
  heading: string;
  vector: Float32Array;
}

/** Stores chunks with their embeddings unless this content is stored already; returns how many were embedded. */
export async function storeChunks(
  storage: KnowledgeStorage,
  ids: { tenantId: string; kbId: string; contentHash: string },
  title: string,
  chunks: Chunk[],
  embed: Embedder,
): Promise<number> {
  const key = storageKeys.chunks(ids.tenantId, ids.kbId, ids.contentHash);
  if (await headObject(storage, key)) return 0;
  const vectors = chunks.length ? await embed(chunks.map((c) => c.text)) : [];
  const artifact: ChunkArtifact = {
    title,
    chunks: chunks.map((chunk, i) => ({ ...chunk, vector: encodeVector(vectors[i] as Float32Array) })),
  };
  await putJson(storage, key, artifact);
  return chunks.length;
}

export async function loadChunks(
  storage: KnowledgeStorage,
  ids: { tenantId: string; kbId: string; contentHash: string },
): Promise<{ title: string; chunks: StoredChunk[] }> {
  const artifact = await getJson<ChunkArtifact>(
    storage,
    storageKeys.chunks(ids.tenantId, ids.kbId, ids.contentHash),
  );
  return {
    title: artifact.title,
    chunks: artifact.chunks.map((c) => ({ ...c, vector: decodeVector(c.vector) })),
  };
}
