/**
 * `npm run bench:knowledge`: the knowledge-base pipeline on the local stack (DynamoDB Local, the
 * SQS/S3 emulator, the real crawl and index consumers, a deterministic embeddings server).
 *  1. A generated site of BENCH_PAGES (2,000) pages with a sitemap, a robots.txt disallow,
 *     redirects, 5 % slow pages, 5 % that fail once, 1 % broken links and duplicate content:
 *     pages/s of a first sync.
 *  2. A second sync with nothing changed: fetches must all be conditional (redirected and duplicate
 *     pages included; the unconditional ones are counted) and 0 chunks embedded.
 *  3. Search inside the media service's retrieval (KnowledgeSearch) on a 10,000-chunk base:
 *     cold (first search after start: copy from S3 + open) and warm p50/p95 (target p95 < 150 ms).
 * Bounded by BENCH_TIMEOUT_SECONDS (default 900).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '#shared/config/env.ts';
import { createApiKey } from '#shared/data/api-keys.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createTenant } from '#shared/data/tenants.ts';
import { createEmbedder } from '#shared/knowledge/index/embeddings.ts';
import { type IndexRow, writeIndexVersion } from '#shared/knowledge/index/lance-index.ts';
import {
  createKnowledgeBase,
  getKnowledgeBase,
  replaceKnowledgeBase,
} from '#shared/knowledge/knowledge-base-store.ts';
import { startSync } from '#shared/knowledge/knowledge-operations.ts';
import { knowledgeStorageFromEnv } from '#shared/knowledge/knowledge-storage.ts';
import { getSync } from '#shared/knowledge/sync-records.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { QUEUES } from '#shared/queues/definitions.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { createSqsClient, sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { startControlPlane } from '../infra/local/control-plane.ts';
import { generateLocalSecrets } from '../infra/local/local-secrets.ts';
import { startQueuePoller } from '../infra/local/queue-poller.ts';
import { createKnowledgeSearch } from '../media-service/src/knowledge/knowledge-search.ts';
import { startFakeEmbeddings } from '../fakes/knowledge/embeddings-server.ts';
import { htmlPage, type SitePage, startFakeSite } from '../fakes/knowledge/knowledge-site.ts';

const PAGES = Number(process.env.BENCH_PAGES ?? 2_000);
const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 10_000);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 200);
const CRAWLERS = Number(process.env.BENCH_CRAWLERS ?? 4);
const TIMEOUT_SECONDS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 900);
const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORDS =
  'appointment cleaning whitening implant crown braces insurance invoice parking weekend emergency children hygiene x-ray filling root canal veneer anesthesia referral payment'.split(
    ' ',
  );

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
const words = (seed: number, n: number) =>
  Array.from({ length: n }, (_, i) => WORDS[(seed * 7 + i * 13) % WORDS.length]).join(' ');

/** The generated site: BENCH_PAGES pages under /p/, linked as a tree plus cross links, and the awkward cases. */
function generateSite(base: () => string): Record<string, SitePage> {
  const pages: Record<string, SitePage> = {};
  const sitemap: string[] = [];
  for (let i = 0; i < PAGES; i++) {
    const links = [2 * i + 1, 2 * i + 2, (i * 37) % PAGES].filter((n) => n < PAGES).map((n) => `/p/${n}`);
    if (i % 50 === 0) links.push(`/private/${i}`);
    if (i % 100 === 1) links.push(`/gone/${i}`);
    if (i % 50 === 2) links.push(`/r/${i}`);
    if (i % 50 === 3) links.push(`/copy/${i}`);
    const body = htmlPage(
      `Page ${i}`,
      `<h1>Topic ${i}</h1><p>${words(i, 60)} fact number ${i}.</p><h2>Details</h2><p>${words(i + 1, 80)}</p>`,
      links,
    );
    const page: SitePage = { body };
    if (i % 20 === 5) page.delayMs = 300;
    if (i % 20 === 6) page.failFirst = [{ status: 503 }];
    pages[`/p/${i}`] = page;
    if (i % 50 === 3) pages[`/copy/${i}`] = { body };
    if (i % 50 === 2) pages[`/r/${i}`] = { status: 301, headers: { location: `/p/${i}` } };
    pages[`/private/${i}`] = { body: htmlPage('Private', '<p>secret</p>') };
    sitemap.push(`<url><loc>${base()}/p/${i}</loc></url>`);
  }
  pages['/'] = { status: 301, headers: { location: '/p/0' } };
  pages['/robots.txt'] = { body: 'User-agent: *\nDisallow: /private/\n', type: 'text/plain' };
  pages['/sitemap.xml'] = {
    body: `<?xml version="1.0"?><urlset>${sitemap.join('')}</urlset>`,
    type: 'application/xml',
  };
  return pages;
}

async function runSync(tenantId: string, kbId: string, label: string) {
  const deps = {
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    storage: knowledgeStorageFromEnv(),
    allowPrivateTargets: true,
  };
  const started = Date.now();
  const sync = await startSync(deps, tenantId, kbId, 'api');
  for (;;) {
    const current = await getSync(deps.db, kbId, sync.id);
    if (current && !['running', 'indexing'].includes(current.status)) {
      const seconds = (Date.now() - started) / 1000;
      const done = current.fetched + current.unchanged + current.failed + current.skipped;
      console.log(
        `${label}: ${current.status} in ${seconds.toFixed(1)} s, ${done} pages (${(done / seconds).toFixed(1)} pages/s): fetched ${current.fetched}, unchanged ${current.unchanged}, skipped ${current.skipped}, failed ${current.failed}, chunks ${current.chunks}, embedded ${current.embedded}`,
      );
      return current;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main() {
  const timer = setTimeout(() => {
    console.error(`bench:knowledge stopped after ${TIMEOUT_SECONDS} s`);
    process.exit(2);
  }, TIMEOUT_SECONDS * 1000);
  timer.unref();
  const logger = createLogger({ level: 'error' });
  const embeddings = await startFakeEmbeddings();
  let siteUrl = '';
  const site = await startFakeSite();
  siteUrl = site.url;
  for (const [path, page] of Object.entries(generateSite(() => siteUrl))) site.set(path, page);
  const plane = await startControlPlane({
    rootDir,
    logger,
    startPollers: false,
    namePrefix: `bench${Date.now().toString(36)}`,
    env: {
      ...generateLocalSecrets(),
      LOG_LEVEL: 'error',
      OPENAI_API_KEY: embeddings.apiKey,
      OPENAI_BASE_URL: embeddings.baseUrl,
      KNOWLEDGE_CRAWL_DELAY_MS: '0',
      KNOWLEDGE_RETRY_BASE_MS: '500',
    },
  });
  const sqs = createSqsClient({ endpoint: plane.env.SQS_ENDPOINT });
  const pollers = [
    ...Array.from({ length: CRAWLERS }, () => QUEUES.knowledgeCrawl),
    QUEUES.knowledgeIndex,
  ].map((definition) =>
    startQueuePoller({ sqs, queueUrl: plane.env[definition.urlEnv] as string, definition, rootDir, logger }),
  );
  try {
    const db = dbFromEnv();
    const tenant = await createTenant(db, {
      name: 'Bench',
      limits: { maxConcurrentCalls: 5, requestsPerSecond: 1000 },
    });
    await createApiKey(db, { tenantId: tenant.id, name: 'bench', scopes: ['admin'] });
    const kb = await createKnowledgeBase(db, tenant.id, {
      name: 'Generated site',
      refresh: 'manual',
      sources: [
        { type: 'website', url: `${site.url}/`, maxPages: PAGES + 500, maxDepth: 20 },
        { type: 'sitemap', url: `${site.url}/sitemap.xml`, maxPages: PAGES + 500 },
      ],
    });
    console.log(`site: ${PAGES} pages, ${CRAWLERS} crawl pollers of 10 messages each`);
    await runSync(tenant.id, kb.id, 'first sync');
    const before = site.requests.length;
    const second = await runSync(tenant.id, kb.id, 'second sync (no changes)');
    const pageRequests = site.requests.slice(before).filter((r) => r.path.startsWith('/p/'));
    const conditional = pageRequests.filter((r) => r.conditional).length;
    console.log(
      `second sync: ${pageRequests.length} page requests, ${conditional} conditional, ${pageRequests.filter((r) => r.status === 304).length} answered 304; embedded ${second.embedded} chunks`,
    );
    // Every request for a page (redirect hops, which carry no validators, aside) should be
    // conditional; robots.txt and the sitemap are read in full each sync by design.
    const plain = site.requests
      .slice(before)
      .filter((r) => r.status !== 301 && r.status !== 404 && !r.conditional)
      .filter((r) => r.path !== '/robots.txt' && r.path !== '/sitemap.xml');
    console.log(
      `second sync: ${plain.length} unconditional page requests (target 0)${plain.length ? `: ${[...new Set(plain.map((r) => r.path))].slice(0, 10).join(' ')}` : ''}`,
    );

    // Search on a 10,000-chunk base, as a media task does it.
    const env = loadEnv();
    const embed = createEmbedder({
      apiKey: embeddings.apiKey,
      baseUrl: embeddings.baseUrl,
      model: env.OPENAI_EMBEDDING_MODEL,
      dimensions: env.OPENAI_EMBEDDING_DIMENSIONS,
    });
    const texts = Array.from(
      { length: CHUNKS },
      (_, i) => `Topic ${i % 1000} › Section ${i}\n${words(i, 120)} reference code REF-${i}.`,
    );
    const vectors: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += 500) vectors.push(...(await embed(texts.slice(i, i + 500))));
    const big = await createKnowledgeBase(db, tenant.id, { name: 'Big', sources: [], refresh: 'manual' });
    const rows: IndexRow[] = texts.map((text, i) => ({
      id: `c${i}`,
      url: `https://bench.test/p/${i % 1000}`,
      title: `Topic ${i % 1000}`,
      heading: '',
      text,
      vector: vectors[i] as Float32Array,
    }));
    await writeIndexVersion(
      knowledgeStorageFromEnv(),
      { tenantId: tenant.id, kbId: big.id, version: 1 },
      rows,
    );
    const current = await getKnowledgeBase(db, tenant.id, big.id);
    if (current) await replaceKnowledgeBase(db, current, { ...current, indexVersion: 1 });
    const knowledge = createKnowledgeSearch({
      env: { ...env, KNOWLEDGE_CACHE_DIR: resolve(rootDir, `.local/bench-knowledge-${Date.now()}`) },
      db,
      secrets: { get: async () => embeddings.apiKey, require: async () => embeddings.apiKey } as never,
    });
    const agent = { knowledgeBaseIds: [big.id] } as never;
    const coldStarted = performance.now();
    const pins = await knowledge.pinAndWarm(tenant.id, agent);
    await knowledge.search(pins, 'emergency appointment for children', 5);
    const coldMs = performance.now() - coldStarted;
    const samples: number[] = [];
    for (let i = 0; i < SEARCHES; i++) {
      const t = performance.now();
      const hits = await knowledge.search(pins, `${words(i * 3, 4)} REF-${(i * 97) % CHUNKS}`, 5);
      samples.push(performance.now() - t);
      if (hits.length === 0) throw new Error('search returned nothing');
    }
    samples.sort((a, b) => a - b);
    console.log(
      `search on ${CHUNKS} chunks (media-task retrieval, fake embeddings on localhost): cold ${coldMs.toFixed(0)} ms; warm p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms over ${SEARCHES} queries (target p95 < 150 ms)`,
    );
    knowledge.close();
  } finally {
    await Promise.all(pollers.map((p) => p.stop()));
    sqs.destroy();
    await plane.stop();
    await site.close();
    await embeddings.close();
    clearTimeout(timer);
  }
}

await main();
