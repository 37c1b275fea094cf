/**
 * Bundled by scripts/verify-lance-bundle.ts into a copy of a LanceDB function's asset and run there
 * with plain `node`: writes a small table with a full-text index and runs the production hybrid
 * search on it, so the bundled JavaScript must load the asset's own native binary to answer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { CHUNK_TABLE, searchTable } from '#shared/knowledge/index/lance-index.ts';

const dir = mkdtempSync(join(tmpdir(), 'lance-probe-'));
try {
  const db = await lancedb.connect(dir);
  const rows = Array.from({ length: 500 }, (_, i) => ({
    id: `c${i}`,
    url: `https://example.test/p${i}`,
    title: `Page ${i}`,
    heading: '',
    text: i === 137 ? 'Opening hours are nine to five on weekdays.' : `Filler chunk number ${i}.`,
    vector: Array.from({ length: 8 }, (_, d) => (d === i % 8 ? 1 : 0.01 * ((i * (d + 1)) % 7))),
  }));
  const table = await db.createTable(CHUNK_TABLE, rows);
  await table.createIndex('text', { config: lancedb.Index.fts({ withPosition: false }), replace: true });
  const vector = new Float32Array(8).fill(0.01);
  vector[137 % 8] = 1;
  const hits = await searchTable(table, 'opening hours', vector, 3);
  const maps = readFileSync('/proc/self/maps', 'utf8');
  const native = maps
    .split('\n')
    .map((line) => line.split(/\s+/).pop() ?? '')
    .find((path) => path.endsWith('.node') && path.includes('lancedb'));
  console.log(
    JSON.stringify({
      node: process.version,
      arch: process.arch,
      native,
      top: hits[0]?.id,
      hits: hits.length,
    }),
  );
  table.close();
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
