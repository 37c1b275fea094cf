import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbFromEnv } from '#shared/data/client.ts';
import { acquireHostLease, releaseHostLease } from '#shared/knowledge/crawl/host-leases.ts';
import { type FakeSite, htmlPage, startFakeSite } from '../../fakes/knowledge/knowledge-site.ts';
import type { Json } from '../../test/functions/api-test-client.ts';
import { startKnowledgeWorkers, waitUntil, useKnowledgePlatform } from '../../test/knowledge-workers.ts';

const k = useKnowledgePlatform({
  queueVisibilitySeconds: 60,
  env: {
    // No spacing between requests: only the concurrency cap holds the crawler back.
    KNOWLEDGE_CRAWL_DELAY_MS: '0',
    KNOWLEDGE_HOST_CONCURRENCY: '2',
  },
});

let site: FakeSite;

const PAGES = Array.from({ length: 12 }, (_, i) => `/page-${i}`);

beforeAll(async () => {
  site = await startFakeSite();
  site.set('/', { body: htmlPage('Home', '<h1>Home</h1><p>Welcome to the clinic.</p>', PAGES) });
  for (const [i, path] of PAGES.entries()) {
    site.set(path, {
      body: htmlPage(`Page ${i}`, `<h1>Topic ${i}</h1><p>Fact number ${i} about the clinic.</p>`),
      delayMs: 150,
    });
  }
}, 60_000);
afterAll(async () => {
  await site?.close();
});

describe('host leases', () => {
  it('hands out at most `limit` leases per host, takes expired ones over, and releases only its own', async () => {
    const db = dbFromEnv();
    const now = Date.now();
    const a = await acquireHostLease(db, 'leases.test', 2, 10_000, now);
    const b = await acquireHostLease(db, 'leases.test', 2, 10_000, now);
    expect(a && b && a.slot !== b.slot).toBe(true);
    expect(await acquireHostLease(db, 'leases.test', 2, 10_000, now)).toBeUndefined();
    // Another host has its own leases.
    expect(await acquireHostLease(db, 'other.test', 2, 10_000, now)).toBeDefined();

    await releaseHostLease(db, a as NonNullable<typeof a>);
    const c = await acquireHostLease(db, 'leases.test', 2, 10_000, now);
    expect(c?.slot).toBe(a?.slot);

    // A holder that crashed: its lease is taken over once expired, and its late release is a no-op.
    const later = now + 10_001;
    const d = await acquireHostLease(db, 'leases.test', 2, 10_000, later);
    expect(d).toBeDefined();
    await releaseHostLease(db, b as NonNullable<typeof b>);
    await releaseHostLease(db, c as NonNullable<typeof c>);
    const e = await acquireHostLease(db, 'leases.test', 2, 10_000, later);
    const f = await acquireHostLease(db, 'leases.test', 2, 10_000, later);
    expect(e).toBeDefined();
    expect(f).toBeUndefined();
  });
});

describe('crawler politeness', () => {
  it('fetches at most KNOWLEDGE_HOST_CONCURRENCY pages of a host at once across workers', async () => {
    const created = await k.api.post('/v1/knowledge-bases', {
      name: 'Clinic',
      sources: [{ type: 'website', url: `${site.url}/` }],
    });
    expect(created.status).toBe(201);
    const kbId = created.body.knowledgeBase.id;
    const started = await k.api.post(`/v1/knowledge-bases/${kbId}/syncs`);
    expect(started.status).toBe(202);
    // Two workers, each taking batches of ten: without the cap a dozen slow pages overlap.
    const workers = [startKnowledgeWorkers(k.platform), startKnowledgeWorkers(k.platform)];
    const sync: Json = await waitUntil(
      async () => (await k.api.get(`/v1/knowledge-bases/${kbId}/syncs/${started.body.sync.id}`)).body.sync,
      (s) => !['running', 'indexing'].includes(s.status),
    ).finally(() => Promise.all(workers.map((w) => w.stop())));
    expect(sync).toMatchObject({ status: 'completed', fetched: 13, failed: 0 });
    expect(site.maxInFlight).toBe(2);
    expect(site.requests.filter((r) => PAGES.includes(r.path))).toHaveLength(PAGES.length);
  }, 120_000);
});
