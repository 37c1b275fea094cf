import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSite, htmlPage, startFakeSite } from '../../fakes/knowledge/knowledge-site.ts';
import type { Json } from '../../test/functions/api-test-client.ts';
import { startKnowledgeWorkers, waitUntil, useKnowledgePlatform } from '../../test/knowledge-workers.ts';

/**
 * Conditional refresh of the pages a plain 304 check used to miss: a page that redirects (its
 * validators belong to the redirect target) and a page whose content duplicates another page's
 * (it has no document of its own). The site records whether each request was conditional.
 */
const k = useKnowledgePlatform({
  queueVisibilitySeconds: 2,
  env: {
    KNOWLEDGE_CRAWL_DELAY_MS: '0',
    KNOWLEDGE_RETRY_BASE_MS: '200',
    KNOWLEDGE_FETCH_TIMEOUT_MS: '5000',
  },
});
let site: FakeSite;
let kbId: string;

// The same page at /original and (from the second sync) at /copy; both link to /copy.
const ORIGINAL = htmlPage(
  'Whitening',
  '<h1>Whitening</h1><p>Teeth whitening takes one hour and costs 200 euros.</p>',
  ['/copy'],
);
const CHANGED = htmlPage('Whitening', '<h1>Whitening</h1><p>Teeth whitening is no longer offered here.</p>', [
  '/copy',
]);
const OWN_COPY = htmlPage('Copy', '<h1>Copy</h1><p>This page still has its own text about braces.</p>');

beforeAll(async () => {
  site = await startFakeSite({
    '/': {
      body: htmlPage('Home', '<h1>Home</h1><p>Welcome to the Springfield clinic.</p>', [
        '/moved',
        '/original',
      ]),
    },
    '/moved': { status: 301, headers: { location: '/new-home' } },
    '/new-home': { body: htmlPage('Opening hours', '<h1>Opening hours</h1><p>Open from 8 to 18.</p>') },
    // /copy is linked only from /original, so it is found once /original was read.
    '/original': { body: ORIGINAL },
    '/copy': { body: OWN_COPY },
  });
  const created = await k.api.post('/v1/knowledge-bases', {
    name: 'Refresh',
    sources: [{ type: 'website', url: `${site.url}/`, maxDepth: 3 }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  kbId = created.body.knowledgeBase.id;
}, 60_000);
afterAll(async () => {
  await site?.close();
});

/** Runs one sync to the end; returns it with the site requests it made (robots.txt aside). */
async function sync(): Promise<{ sync: Json; requests: FakeSite['requests'] }> {
  const before = site.requests.length;
  const started = await k.api.post(`/v1/knowledge-bases/${kbId}/syncs`);
  expect(started.status).toBe(202);
  const workers = startKnowledgeWorkers(k.platform);
  const done = await waitUntil(
    async () => (await k.api.get(`/v1/knowledge-bases/${kbId}/syncs/${started.body.sync.id}`)).body.sync,
    (s: Json) => !['running', 'indexing'].includes(s.status),
  ).finally(() => workers.stop());
  return { sync: done, requests: site.requests.slice(before).filter((r) => r.path !== '/robots.txt') };
}

const asked = (requests: FakeSite['requests'], path: string) =>
  requests
    .filter((r) => r.path === path)
    .map((r) => `${r.conditional ? 'conditional' : 'plain'} ${r.status}`);

async function documentHash(path: string): Promise<string | undefined> {
  const docs = (await k.api.get(`/v1/knowledge-bases/${kbId}/documents?limit=100`)).body.items as Json[];
  return docs.find((d) => new URL(d.url).pathname === path)?.contentHash;
}

async function search(query: string): Promise<Json[]> {
  return (await k.api.post(`/v1/knowledge-bases/${kbId}/search`, { query, topK: 3 })).body.results;
}

describe('conditional refresh of redirected and duplicate pages', () => {
  it('first sync: every page is read in full', async () => {
    const { sync: first } = await sync();
    expect(first).toMatchObject({ status: 'completed', fetched: 4, skipped: 0 });
  }, 120_000);

  it('a redirecting page is asked for conditionally at its target; a page turning into a duplicate is skipped', async () => {
    site.set('/copy', { body: ORIGINAL });
    const { sync: second, requests } = await sync();
    // The redirect itself has no validators; the target they came from is asked conditionally.
    expect(asked(requests, '/moved')).toEqual(['plain 301']);
    expect(asked(requests, '/new-home')).toEqual(['conditional 304']);
    expect(asked(requests, '/copy')).toEqual(['conditional 200']);
    expect(second).toMatchObject({ fetched: 0, unchanged: 3, skipped: 1, embedded: 0 });
    expect(second.errors).toEqual([expect.objectContaining({ code: 'duplicate_content' })]);
  }, 120_000);

  it('nothing changed: every page, the redirected and the duplicate included, answers a conditional 304', async () => {
    const { sync: third, requests } = await sync();
    for (const path of ['/', '/new-home', '/original', '/copy'])
      expect(asked(requests, path)).toEqual(['conditional 304']);
    expect(asked(requests, '/moved')).toEqual(['plain 301']);
    expect(third).toMatchObject({ status: 'completed', fetched: 0, unchanged: 4, skipped: 0, embedded: 0 });
  }, 120_000);

  it('the original changed: its unchanged duplicate is fetched again in full and indexed in its place', async () => {
    const hashBefore = await documentHash('/original');
    site.set('/original', { body: CHANGED });
    // The copy answers only once the original has been re-indexed, so its 304 is looked at when
    // nobody holds the content any more.
    site.set('/copy', {
      body: ORIGINAL,
      gate: () =>
        waitUntil(
          () => documentHash('/original'),
          (hash) => hash !== hashBefore,
        ),
    });
    const { sync: fourth, requests } = await sync();
    // 304 to the conditional request, but nobody holds that content any more: asked again in full.
    expect(asked(requests, '/copy')).toEqual(['conditional 304', 'plain 200']);
    expect(fourth).toMatchObject({ status: 'completed', fetched: 2, unchanged: 2, skipped: 0 });
    const results = await search('teeth whitening takes one hour and costs 200 euros');
    expect(results.find((r) => r.text.includes('200 euros'))?.url).toBe(`${site.url}/copy`);
    const docs = (await k.api.get(`/v1/knowledge-bases/${kbId}/documents?limit=100`)).body.items as Json[];
    expect(
      docs
        .filter((d) => d.status === 'indexed')
        .map((d) => new URL(d.url).pathname)
        .sort(),
    ).toEqual(['/', '/copy', '/moved', '/original']);
  }, 120_000);
});
