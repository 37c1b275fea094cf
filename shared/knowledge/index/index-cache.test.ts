import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/platform.ts';
import { knowledgeStorageFromEnv } from '../knowledge-storage.ts';
import { KnowledgeIndexCache, type PinnedIndex } from './index-cache.ts';
import { type IndexRow, writeIndexVersion } from './lance-index.ts';

let platform: TestPlatform;
let dir: string;
beforeAll(async () => {
  platform = await startTestPlatform();
  dir = await mkdtemp(join(tmpdir(), 'index-cache-test-'));
}, 60_000);
afterAll(async () => {
  await platform?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const row = (id: string, text: string): IndexRow => ({
  id,
  url: `https://acme.example/${id}`,
  title: id,
  heading: id,
  text,
  vector: Float32Array.from({ length: 8 }, (_, i) => (i === id.length % 8 ? 1 : 0)),
});

describe('the media task’s copies of index versions', () => {
  it('keeps at most maxOpen versions on disk; an evicted version is copied again when a call needs it', async () => {
    const storage = knowledgeStorageFromEnv();
    const pin = (version: number): PinnedIndex => ({ tenantId: 'ten_cache', kbId: 'kb_cache', version });
    await writeIndexVersion(storage, pin(1), [row('hours', 'Open Monday to Friday.')]);
    await writeIndexVersion(storage, pin(2), [row('hours', 'Open Monday to Saturday.')]);
    const copy = (version: number) => join(dir, 'ten_cache', 'kb_cache', `v${version}`, '.complete');
    const cache = new KnowledgeIndexCache({ storage, dir, maxOpen: 1 });

    expect(await (await cache.table(pin(1)))?.countRows()).toBe(1);
    expect(existsSync(copy(1))).toBe(true);

    // A sync published v2 and a new call opened it: v1 is evicted, closed and deleted from disk.
    expect(await (await cache.table(pin(2)))?.countRows()).toBe(1);
    await cache.discarded();
    expect([existsSync(copy(1)), existsSync(copy(2))]).toEqual([false, true]);

    // A call still pinned to v1 searches it again: copied back from S3, and v2 makes room.
    const again = await cache.table(pin(1));
    expect((await again?.query().toArray())?.map((r) => r.text)).toEqual(['Open Monday to Friday.']);
    await cache.discarded();
    expect([existsSync(copy(1)), existsSync(copy(2))]).toEqual([true, false]);
    cache.close();
  });
});
