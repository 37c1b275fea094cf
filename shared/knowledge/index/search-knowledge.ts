import type { Embedder } from './embeddings.ts';
import type { KnowledgeIndexCache, PinnedIndex } from './index-cache.ts';
import { fuseRankings, type SearchHit, searchTable } from './lance-index.ts';

/**
 * Searches the pinned versions of one or more knowledge bases: the query is embedded once, each
 * base is searched hybrid (vector + full text), and the per-base lists are fused again by rank.
 */
export async function searchKnowledge(input: {
  cache: KnowledgeIndexCache;
  embed: Embedder;
  pins: PinnedIndex[];
  query: string;
  topK: number;
}): Promise<SearchHit[]> {
  const tables = (await Promise.all(input.pins.map((pin) => input.cache.table(pin)))).filter(
    (t) => t !== undefined,
  );
  if (tables.length === 0) return [];
  const [vector] = await input.embed([input.query]);
  if (!vector) return [];
  const lists = await Promise.all(tables.map((table) => searchTable(table, input.query, vector, input.topK)));
  if (lists.length === 1) return lists[0] as SearchHit[];
  return fuseRankings(lists, input.topK);
}
