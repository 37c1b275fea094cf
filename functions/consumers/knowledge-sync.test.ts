import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSite, htmlPage, startFakeSite } from '../../fakes/knowledge/knowledge-site.ts';
import { tinyPdf } from '../../fakes/knowledge/tiny-pdf.ts';
import type { Json } from '../../test/functions/api-test-client.ts';
import { startKnowledgeWorkers, waitUntil, useKnowledgePlatform } from '../../test/knowledge-workers.ts';

const k = useKnowledgePlatform({
  queueVisibilitySeconds: 2,
  env: {
    KNOWLEDGE_CRAWL_DELAY_MS: '0',
    KNOWLEDGE_MAX_PAGE_BYTES: '100000',
    KNOWLEDGE_RETRY_BASE_MS: '200',
    KNOWLEDGE_RETRY_MAX_ATTEMPTS: '3',
    KNOWLEDGE_FETCH_TIMEOUT_MS: '2000',
  },
});

let site: FakeSite;

const PRICING =
  '<h1>Pricing</h1><h2>Pro plan</h2><p>The Pro plan costs 49 euros per month and includes code PLAN-PRO-49.</p>';

function sitePages(base: () => string) {
  const nav = [
    '/',
    '/about',
    '/pricing',
    '/docs/guide',
    '/private/secret',
    '/missing',
    '/loop-a',
    '/to-elsewhere',
    '/huge',
    '/download',
    '/manual.pdf',
    '/dup',
    '/rate-limited',
    '/flaky',
    '/broken',
    'https://other.example.net/page',
  ];
  return {
    '/robots.txt': { body: 'User-agent: *\nDisallow: /private/\n', type: 'text/plain' },
    '/': {
      body: htmlPage(
        'Acme Dental',
        '<h1>Welcome</h1><p>Acme Dental cares for your teeth in Springfield.</p>',
        nav,
      ),
    },
    '/about': { body: htmlPage('About', '<h1>About us</h1><p>Founded in 1999 by Dr. Ada Molar.</p>', nav) },
    '/dup': { body: htmlPage('About', '<h1>About us</h1><p>Founded in 1999 by Dr. Ada Molar.</p>', nav) },
    '/pricing': { body: htmlPage('Pricing', PRICING, nav) },
    '/docs/guide': {
      body: htmlPage(
        'Guide',
        '<h1>Guide</h1><h2>Opening hours</h2><p>We are open Monday to Friday, 8 to 18.</p>',
        nav,
      ),
    },
    '/private/secret': { body: htmlPage('Secret', '<p>Internal only: the safe code is 1234.</p>') },
    '/loop-a': { status: 302, headers: { location: '/loop-b' } },
    '/loop-b': { status: 302, headers: { location: '/loop-a' } },
    '/to-elsewhere': { status: 301, headers: { location: 'https://elsewhere.example.org/' } },
    '/huge': { body: htmlPage('Huge', `<p>${'filler text '.repeat(30_000)}</p>`) },
    '/download': { body: Buffer.alloc(2048, 7), type: 'application/octet-stream' },
    '/manual.pdf': {
      body: tinyPdf(['Refunds are possible within 30 days of treatment.'], 'Patient manual'),
      type: 'application/pdf',
    },
    '/rate-limited': {
      body: htmlPage('Insurance', '<h1>Insurance</h1><p>We accept all public insurers.</p>'),
      failFirst: [{ status: 429, headers: { 'retry-after': '1' } }],
    },
    '/flaky': {
      body: htmlPage('Parking', '<h1>Parking</h1><p>Free parking behind the building.</p>'),
      failFirst: [{ status: 503 }],
    },
    '/broken': { status: 500 },
    '/sitemap.xml': {
      body: `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${base()}/faq</loc></url></urlset>`,
      type: 'application/xml',
    },
    '/faq': { body: htmlPage('FAQ', '<h1>FAQ</h1><p>Do you treat children? Yes, from age 3.</p>') },
  };
}

beforeAll(async () => {
  let siteUrl = '';
  site = await startFakeSite();
  siteUrl = site.url;
  for (const [path, page] of Object.entries(sitePages(() => siteUrl))) site.set(path, page);
}, 60_000);
afterAll(async () => {
  await site?.close();
});

const syncOf = async (kbId: string, syncId: string): Promise<Json> =>
  (await k.api.get(`/v1/knowledge-bases/${kbId}/syncs/${syncId}`)).body.sync;
const finished = (sync: Json) => !['running', 'indexing'].includes(sync.status);

async function allDocuments(kbId: string): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const page: Json = (
      await k.api.get(`/v1/knowledge-bases/${kbId}/documents?limit=100${cursor ? `&cursor=${cursor}` : ''}`)
    ).body;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

describe('knowledge base sync', () => {
  let kbId: string;
  let firstSync: Json;

  it('crawls a site with every hard case, reports progress, and finishes completed_with_errors', async () => {
    const markdown = '# Team\n\n## Hygienists\n\nOur hygienist Grace Flossman speaks Spanish.\n';
    const created = await k.api.post('/v1/knowledge-bases', {
      name: 'Acme site',
      refresh: 'daily',
      sources: [
        { type: 'website', url: `${site.url}/`, exclude: ['/never/*'], maxDepth: 2 },
        { type: 'sitemap', url: `${site.url}/sitemap.xml` },
        { type: 'text', title: 'Emergency line', content: 'For emergencies call 555-0199 around the clock.' },
        {
          type: 'file',
          fileName: 'team.md',
          contentType: 'text/markdown',
          sizeBytes: Buffer.byteLength(markdown),
        },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    kbId = created.body.knowledgeBase.id;
    const [upload] = created.body.uploads;
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: markdown });
    expect(put.status).toBe(200);

    const started = await k.api.post(`/v1/knowledge-bases/${kbId}/syncs`);
    expect(started.status).toBe(202);
    expect(started.body.sync).toMatchObject({ status: 'running', pagesDiscovered: 4, percent: 0 });
    expect((await k.api.post(`/v1/knowledge-bases/${kbId}/syncs`)).status).toBe(409);

    const workers = startKnowledgeWorkers(k.platform);
    try {
      // In between: the rate-limited page waits out its Retry-After, so the sync is mid-way.
      const midway = await waitUntil(
        () => syncOf(kbId, started.body.sync.id),
        (s) => s.fetched >= 5 || finished(s),
      );
      expect(midway.status).toBe('running');
      expect(midway.percent).toBeGreaterThan(0);
      expect(midway.percent).toBeLessThan(100);
      expect(midway.pagesDiscovered).toBeGreaterThan(started.body.sync.pagesDiscovered);
      firstSync = await waitUntil(() => syncOf(kbId, started.body.sync.id), finished);
    } finally {
      await workers.stop();
    }
    expect(firstSync).toMatchObject({
      status: 'completed_with_errors',
      percent: 100,
      etaSeconds: 0,
      failed: 2,
      indexVersion: 1,
    });
    const reasons = Object.fromEntries(
      firstSync.errors.map((e: Json) => [new URL(e.url, site.url).pathname, e.code]),
    );
    expect(reasons).toMatchObject({
      '/private/secret': 'robots_disallowed',
      '/loop-a': 'redirect_loop',
      '/to-elsewhere': 'off_site_redirect',
      '/huge': 'too_large',
      '/download': 'unsupported_content_type',
      '/missing': 'http_404',
      '/broken': 'http_500',
    });
    expect(reasons['/dup'] ?? reasons['/about']).toBe('duplicate_content');
    // Retried, then fetched: 429 honoured Retry-After, 503 retried with backoff.
    const hits = (path: string) => site.requests.filter((r) => r.path === path).map((r) => r.status);
    expect(hits('/rate-limited')).toEqual([429, 200]);
    expect(hits('/flaky')).toEqual([503, 200]);
    expect(hits('/broken')).toEqual([500, 500, 500]);
    expect(hits('/private/secret')).toEqual([]);
    expect(site.requests.every((r) => r.userAgent.startsWith('ai-caller-knowledge-bot/'))).toBe(true);
    // home, about|dup, pricing, guide, pdf, rate-limited, flaky, faq + text + file
    expect(firstSync.fetched).toBe(10);
    expect(firstSync.embedded).toBe(firstSync.chunks);

    const docs = await allDocuments(kbId);
    const urls = docs.map((d) => d.url).sort();
    expect(urls).toContain(`${site.url}/manual.pdf`);
    expect(urls).toContain(`${site.url}/faq`);
    expect(urls.some((u) => u.includes('other.example.net'))).toBe(false);
    expect(
      docs.every((d) => d.status === 'indexed' && d.chunkCount > 0 && /^[0-9a-f]{64}$/.test(d.contentHash)),
    ).toBe(true);

    const kb = (await k.api.get(`/v1/knowledge-bases/${kbId}`)).body.knowledgeBase;
    expect(kb).toMatchObject({ indexVersion: 1, lastSyncStatus: 'completed_with_errors', documentCount: 10 });
    expect(kb.sources.find((s: Json) => s.type === 'file').uploaded).toBe(true);
  }, 120_000);

  it('searches hybrid: a fact by words, a code by keyword, the PDF and the uploaded file', async () => {
    const search = async (query: string) =>
      (await k.api.post(`/v1/knowledge-bases/${kbId}/search`, { query, topK: 3 })).body.results as Json[];
    const [pricing] = await search('How much does the Pro plan cost per month?');
    expect(pricing).toMatchObject({ url: `${site.url}/pricing`, title: 'Pricing' });
    expect(pricing.text).toContain('49 euros');
    expect(pricing.text).not.toContain('Copyright footer');
    expect(pricing.text).not.toContain('tracking');
    expect((await search('PLAN-PRO-49'))[0].url).toBe(`${site.url}/pricing`);
    expect((await search('refunds within 30 days'))[0]).toMatchObject({
      url: `${site.url}/manual.pdf`,
      title: 'Patient manual',
    });
    expect((await search('which hygienist speaks Spanish'))[0].text).toContain('Grace Flossman');
    expect((await search('safe code 1234')).some((r) => r.url.includes('/private/'))).toBe(false);
  });

  it('refreshes with conditional requests only and embeds nothing when nothing changed', async () => {
    const before = k.embeddings.inputs.length;
    const requestsBefore = site.requests.length;
    const started = await k.api.post(`/v1/knowledge-bases/${kbId}/syncs`);
    const workers = startKnowledgeWorkers(k.platform);
    const sync = await waitUntil(() => syncOf(kbId, started.body.sync.id), finished).finally(() =>
      workers.stop(),
    );
    // The duplicate page (/dup or /about) kept its validators too: a 304 that counts unchanged.
    expect(sync).toMatchObject({
      embedded: 0,
      fetched: 0,
      unchanged: firstSync.fetched + 1,
      indexVersion: 1,
      chunks: firstSync.chunks,
    });
    expect(k.embeddings.inputs.length).toBe(before);
    // Every page with a stored copy was asked for conditionally and answered 304.
    const docPaths = new Set(
      (await allDocuments(kbId))
        .map((d) => d.url)
        .filter((u) => u.startsWith(site.url))
        .map((u) => new URL(u).pathname),
    );
    const refetched = site.requests.slice(requestsBefore).filter((r) => docPaths.has(r.path));
    expect(refetched.length).toBe(docPaths.size);
    expect(refetched.every((r) => r.conditional && r.status === 304)).toBe(true);
  }, 120_000);

  it('re-embeds only the chunks of the one page that changed and publishes a new version', async () => {
    site.set('/pricing', { body: htmlPage('Pricing', PRICING.replace('49 euros', '59 euros')) });
    const before = k.embeddings.inputs.length;
    const started = await k.api.post(`/v1/knowledge-bases/${kbId}/syncs`);
    const workers = startKnowledgeWorkers(k.platform);
    const sync = await waitUntil(() => syncOf(kbId, started.body.sync.id), finished).finally(() =>
      workers.stop(),
    );
    const changed = k.embeddings.inputs.slice(before);
    expect(changed.length).toBe(sync.embedded);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((text) => text.startsWith('Pricing'))).toBe(true);
    // Every other page, the duplicate included, answered 304.
    expect(sync).toMatchObject({ indexVersion: 2, fetched: 1, unchanged: firstSync.fetched });
    const [top] = (
      await k.api.post(`/v1/knowledge-bases/${kbId}/search`, { query: 'Pro plan price', topK: 1 })
    ).body.results;
    expect(top.text).toContain('59 euros');
  }, 120_000);

  it('resumes after consumers crash mid-sync (mid-message and killed) and ends with the same result', async () => {
    const created = await k.api.post('/v1/knowledge-bases', {
      name: 'Acme again',
      sources: [
        { type: 'website', url: `${site.url}/`, maxDepth: 2 },
        { type: 'sitemap', url: `${site.url}/sitemap.xml` },
        { type: 'text', title: 'Emergency line', content: 'For emergencies call 555-0199 around the clock.' },
      ],
    });
    const id = created.body.knowledgeBase.id;
    // Embedding fails past the SDK's retries: those messages throw after their links were added
    // and come back after the visibility timeout, as after a crash in the middle of a page.
    k.embeddings.failNext(12);
    const started = await k.api.post(`/v1/knowledge-bases/${id}/syncs`);
    let workers = startKnowledgeWorkers(k.platform);
    await waitUntil(
      () => syncOf(id, started.body.sync.id),
      (s) => s.fetched >= 2 || finished(s),
    );
    await workers.stop(); // killed
    const paused = await syncOf(id, started.body.sync.id);
    expect(paused.status).toBe('running');
    workers = startKnowledgeWorkers(k.platform);
    const sync = await waitUntil(() => syncOf(id, started.body.sync.id), finished).finally(() =>
      workers.stop(),
    );
    const docs = await allDocuments(id);
    // The first sync of the other base over the same site, minus its uploaded file.
    expect(sync).toMatchObject({
      status: 'completed_with_errors',
      fetched: firstSync.fetched - 1,
      failed: 2,
      indexVersion: 1,
    });
    expect(sync.pagesDiscovered).toBe(firstSync.pagesDiscovered - 1);
    expect(sync.fetched + sync.unchanged + sync.failed + sync.skipped).toBe(sync.pagesDiscovered);
    expect(docs).toHaveLength(firstSync.fetched - 1);
  }, 180_000);

  it('ends failed with the reasons when the site answers only errors', async () => {
    site.set('/down/', { status: 503 });
    const created = await k.api.post('/v1/knowledge-bases', {
      name: 'Down site',
      sources: [{ type: 'website', url: `${site.url}/down/` }],
    });
    const id = created.body.knowledgeBase.id;
    const started = await k.api.post(`/v1/knowledge-bases/${id}/syncs`);
    const workers = startKnowledgeWorkers(k.platform);
    const sync = await waitUntil(() => syncOf(id, started.body.sync.id), finished).finally(() =>
      workers.stop(),
    );
    expect(sync).toMatchObject({ status: 'failed', failed: 1, fetched: 0, indexVersion: null });
    expect(sync.errors).toEqual([
      { url: `${site.url}/down/`, code: 'http_503', message: expect.stringContaining('after 3 attempts') },
    ]);
    expect((await k.api.get(`/v1/knowledge-bases/${id}`)).body.knowledgeBase).toMatchObject({
      lastSyncStatus: 'failed',
      indexVersion: null,
    });
    expect(
      (await k.api.post(`/v1/knowledge-bases/${id}/search`, { query: 'anything' })).body.results,
    ).toEqual([]);
  }, 120_000);
});
