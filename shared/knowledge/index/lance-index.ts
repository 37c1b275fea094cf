import * as lancedb from '@lancedb/lancedb';
import { type KnowledgeStorage, lanceStorageOptions, storageKeys } from '../knowledge-storage.ts';

export const CHUNK_TABLE = 'chunks';

/** One row of an index version. */
export interface IndexRow {
  id: string;
  url: string;
  title: string;
  heading: string;
  text: string;
  vector: Float32Array;
}

export function indexUri(storage: KnowledgeStorage, tenantId: string, kbId: string, version: number): string {
  return `s3://${storage.bucket}/${storageKeys.indexDir(tenantId, kbId, version)}`;
}

/**
 * Writes one immutable index version: a LanceDB database of its own under `index/…/v<N>/` with the
 * chunk table and a full-text index on `text`. Nothing reads it until the version number is
 * published on the knowledge base, so a half-written version is never searched. Vectors are
 * searched exhaustively: at the sizes of a business's documentation (tens of thousands of chunks)
 * that is a few milliseconds and exact, without an ANN index to train.
 */
export async function writeIndexVersion(
  storage: KnowledgeStorage,
  ids: { tenantId: string; kbId: string; version: number },
  rows: IndexRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const db = await lancedb.connect(indexUri(storage, ids.tenantId, ids.kbId, ids.version), {
    storageOptions: lanceStorageOptions(storage),
  });
  try {
    const table = await db.createTable(
      CHUNK_TABLE,
      rows.map((row) => ({ ...row, vector: Array.from(row.vector) })),
      { mode: 'overwrite' },
    );
    await table.createIndex('text', { config: lancedb.Index.fts({ withPosition: false }), replace: true });
    table.close();
  } finally {
    db.close();
  }
}

export interface SearchHit {
  id: string;
  url: string;
  title: string;
  text: string;
  score: number;
}

/** Reciprocal rank fusion constant: damps the weight of top ranks so both lists count. */
const RRF_K = 60;

/**
 * Merges ranked lists by reciprocal rank fusion: each hit scores Σ 1/(k + rank) over the lists
 * it appears in. Rank-based, so cosine distances and BM25 scores need no calibration.
 */
export function fuseRankings<T extends { id: string }>(
  lists: T[][],
  topK: number,
): (T & { score: number })[] {
  const scores = new Map<string, { item: T; score: number }>();
  for (const list of lists) {
    list.forEach((item, rank) => {
      const entry = scores.get(item.id) ?? { item, score: 0 };
      entry.score += 1 / (RRF_K + rank + 1);
      scores.set(item.id, entry);
    });
  }
  return [...scores.values()]
    .sort((a, b) => b.score - a.score)
    .slice(0, topK)
    .map(({ item, score }) => ({ ...item, score: Number(score.toFixed(6)) }));
}

type Row = { id: string; url: string; title: string; text: string };

/** Hybrid search of one opened version: vector (cosine) and full-text (BM25), fused. */
export async function searchTable(
  table: lancedb.Table,
  query: string,
  vector: Float32Array,
  topK: number,
): Promise<SearchHit[]> {
  const depth = Math.max(10, topK * 4);
  const columns = ['id', 'url', 'title', 'text'];
  const [semantic, keyword] = await Promise.all([
    table
      .vectorSearch(Array.from(vector))
      .distanceType('cosine')
      .select([...columns, '_distance'])
      .limit(depth)
      .toArray() as Promise<Row[]>,
    // A query the full-text parser cannot read still gets the vector results.
    (
      table
        .search(query, 'fts', 'text')
        .select([...columns, '_score'])
        .limit(depth)
        .toArray() as Promise<Row[]>
    ).catch(() => [] as Row[]),
  ]);
  const plain = (rows: Row[]) => rows.map((r) => ({ id: r.id, url: r.url, title: r.title, text: r.text }));
  return fuseRankings([plain(semantic), plain(keyword)], topK);
}
