import { FILE_TYPES, MAX_FILE_BYTES } from '../knowledge-schemas.ts';
import { getObjectBytes, headObject, storageKeys } from '../knowledge-storage.ts';
import { getDocument, getDuplicate } from '../document-store.ts';
import { type CrawlDeps, type CrawlEntry, type EntryResult, failed, skipped } from './crawl-context.ts';
import { enqueueChildren, reserveHostSlot, robotsFor } from './crawl-support.ts';
import type { ExtractedDocument } from './extracted-document.ts';
import { extractHtml } from './extract-html.ts';
import { extractMarkdown, extractPdf, extractPlainText } from './extract-text.ts';
import { type FetchOptions, type FetchResult, fetchPage, SITEMAP_TYPES } from './fetch-page.ts';
import { withHostLease } from './host-leases.ts';
import { indexDocument } from './index-document.ts';
import { parseSitemap } from './sitemap.ts';
import { refreshUnchanged, storedCopy } from './stored-copy.ts';
import { allowedByPatterns, canonicalUrl, looksBinary, sameSite } from './url-rules.ts';
import { refusedTarget } from '../../net/outbound-target.ts';
import { QUEUES } from '../../queues/definitions.ts';

/** Waits longer than this go back to the queue instead of holding a consumer. */
const MAX_INLINE_WAIT_MS = 5_000;
const MAX_LINKS_KEPT = 500;

const titleFromUrl = (url: string) =>
  decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? url);

async function extract(body: Buffer, contentType: string, url: string): Promise<ExtractedDocument> {
  if (contentType === 'application/pdf') return extractPdf(body, titleFromUrl(url));
  const text = body.toString('utf8');
  if (contentType === 'text/html' || contentType === 'application/xhtml+xml') return extractHtml(text, url);
  if (contentType === 'text/markdown') return extractMarkdown(text, titleFromUrl(url));
  return extractPlainText(text, titleFromUrl(url));
}

/** A lease outlives any fetch: the crawl consumer is stopped at its timeout. */
const HOST_LEASE_MS = QUEUES.knowledgeCrawl.consumerTimeoutSeconds * 1000;
/** A page that found its host busy for this long goes back to the queue for about as long. */
const BUSY_REQUEUE_MS = 2_000;

/** `fetchPage` within the host's concurrency cap; `later` when the host stayed busy. */
async function politeFetch(
  deps: CrawlDeps,
  url: string,
  options: FetchOptions,
): Promise<FetchResult | { kind: 'later'; delayMs: number }> {
  const leased = await withHostLease(
    deps.db,
    new URL(url).host,
    { limit: deps.hostConcurrency, leaseMs: HOST_LEASE_MS, maxWaitMs: MAX_INLINE_WAIT_MS },
    () => fetchPage(url, options),
  );
  return leased.busy ? { kind: 'later', delayMs: BUSY_REQUEUE_MS } : leased.value;
}

/** Processes one frontier entry by kind; never records anything itself (the caller does). */
export async function crawlEntry(deps: CrawlDeps, entry: CrawlEntry): Promise<EntryResult> {
  const { source } = entry;
  if (source.type === 'text')
    return indexDocument(deps, entry, extractMarkdown(source.content, source.title), {});
  if (source.type === 'file') return crawlFile(deps, entry);
  if (entry.page.kind === 'sitemap') return crawlSitemap(deps, entry);
  return crawlWebPage(deps, entry);
}

async function crawlFile(deps: CrawlDeps, entry: CrawlEntry): Promise<EntryResult> {
  const { kb, source } = entry;
  if (source.type !== 'file') return failed('bad_source', 'Not a file source.');
  const key = storageKeys.upload(kb.tenantId, kb.id, source.id, source.fileName);
  const head = await headObject(deps.storage, key);
  if (!head) return skipped('not_uploaded', `${source.fileName} was not uploaded.`);
  if (head.size > MAX_FILE_BYTES) return skipped('too_large', `${source.fileName} is over the size limit.`);
  const body = await getObjectBytes(deps.storage, key);
  let doc: ExtractedDocument;
  try {
    doc = await extract(
      body,
      source.contentType,
      `https://files.invalid/${encodeURIComponent(source.fileName)}`,
    );
  } catch {
    return failed(
      'unreadable_file',
      `${source.fileName} could not be read as ${FILE_TYPES[source.contentType]}.`,
    );
  }
  if (!doc.title || doc.title === source.fileName) doc.title = source.fileName;
  return indexDocument(deps, entry, { ...doc, links: [] }, {});
}

/** Same site, the source's patterns, not a binary file: a link worth adding. */
function inScopeOf(entry: CrawlEntry) {
  const { source } = entry;
  return (url: string) => {
    if (source.type !== 'website' && source.type !== 'sitemap') return false;
    if (!sameSite(source.url, url) || looksBinary(url)) return false;
    return source.type === 'sitemap' || allowedByPatterns(url, source.include, source.exclude);
  };
}

async function crawlSitemap(deps: CrawlDeps, entry: CrawlEntry): Promise<EntryResult> {
  const { source, page } = entry;
  if (source.type !== 'sitemap') return failed('bad_source', 'Not a sitemap source.');
  const result = await politeFetch(deps, page.url, {
    allowPrivate: deps.allowPrivate,
    timeoutMs: deps.fetchTimeoutMs,
    maxBytes: deps.maxPageBytes * 10,
    inScope: inScopeOf(entry),
    types: SITEMAP_TYPES,
    fetch: deps.fetch,
  });
  if (result.kind === 'retry' || result.kind === 'later') return result;
  if (result.kind !== 'ok')
    return result.kind === 'not_modified'
      ? { kind: 'complete', outcome: 'done' }
      : failed(result.code, result.message);
  const { pages, sitemaps } = parseSitemap(result.body.toString('utf8'));
  const scope = inScopeOf(entry);
  const pick = (urls: string[]) => [
    ...new Set(urls.map((u) => canonicalUrl(u)).filter((u): u is string => !!u && scope(u))),
  ];
  await enqueueChildren(deps, entry, pick(sitemaps).slice(0, 50), 'sitemap', page.depth + 1, source.maxPages);
  await enqueueChildren(deps, entry, pick(pages), 'page', 0, source.maxPages);
  return { kind: 'complete', outcome: 'done' };
}

async function crawlWebPage(deps: CrawlDeps, entry: CrawlEntry): Promise<EntryResult> {
  const { kb, source, page } = entry;
  if (source.type !== 'website' && source.type !== 'sitemap')
    return failed('bad_source', 'Not a web source.');
  const url = new URL(page.url);
  const blocked = await refusedTarget(page.url, { allowPrivate: deps.allowPrivate });
  if (blocked) return skipped('blocked_target', `Refused target: ${blocked}.`);
  const robots = await robotsFor(deps, entry, url.origin);
  if (robots.unreachable)
    return { kind: 'retry', code: 'robots_unreachable', message: 'robots.txt could not be read.' };
  if (!robots.rules.isAllowed(page.url))
    return skipped('robots_disallowed', 'robots.txt disallows this page.');
  const wait = await reserveHostSlot(
    deps,
    url.host,
    Math.max(deps.crawlDelayMs, robots.rules.crawlDelayMs() ?? 0),
  );
  if (wait > MAX_INLINE_WAIT_MS) return { kind: 'later', delayMs: wait };
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

  // The duplicate record is read only for a page without an indexed document (the usual case has one read).
  const previous = await getDocument(deps.db, kb.id, page.url);
  const copy = storedCopy(
    previous,
    previous?.status === 'indexed' ? undefined : await getDuplicate(deps.db, kb.id, page.url),
  );
  const inScope = inScopeOf(entry);
  const result = await politeFetch(deps, page.url, {
    allowPrivate: deps.allowPrivate,
    timeoutMs: deps.fetchTimeoutMs,
    maxBytes: deps.maxPageBytes,
    ...copy?.validators,
    inScope: (next) => inScope(next) && robots.rules.isAllowed(next),
    fetch: deps.fetch,
  });
  // Links are followed for the website source that covers this page: its own, or (for a page a
  // sitemap listed first) the base's website source on the same site, so what a sync finds does
  // not depend on which source reached a page first.
  const website =
    source.type === 'website'
      ? source
      : entry.kb.sources.find((s) => s.type === 'website' && sameSite(s.url, page.url));
  const follow = async (links: string[]) => {
    if (website?.type !== 'website' || page.depth >= website.maxDepth) return;
    const allowed = links.filter((l) => allowedByPatterns(l, website.include, website.exclude));
    await enqueueChildren(deps, entry, allowed, 'page', page.depth + 1, website.maxPages, website.id);
  };
  if (result.kind === 'retry' || result.kind === 'later') return result;
  if (result.kind === 'skip') return skipped(result.code, result.message);
  if (result.kind === 'fail') return failed(result.code, result.message);
  if (result.kind === 'not_modified' && copy) return refreshUnchanged(deps, entry, copy, result, follow);
  if (result.kind !== 'ok')
    return { kind: 'retry', code: 'unexpected_not_modified', message: 'A 304 without a stored copy.' };

  let doc: ExtractedDocument;
  try {
    doc = await extract(result.body, result.contentType, result.url);
  } catch {
    return failed('unreadable', 'The document could not be read.');
  }
  const links = [
    ...new Set(
      doc.links.map((l) => canonicalUrl(l)).filter((l): l is string => !!l && inScope(l) && l !== page.url),
    ),
  ].slice(0, MAX_LINKS_KEPT);
  if (!doc.nofollow) await follow(links);
  const canonical = doc.canonical ? canonicalUrl(doc.canonical) : undefined;
  if (canonical && canonical !== page.url && canonical !== result.url && inScope(canonical)) {
    await follow([canonical]);
    return skipped('canonical_elsewhere', `The page names ${canonical} as its canonical URL.`);
  }
  if (doc.noindex) return skipped('noindex', 'The page asks not to be indexed.');
  return indexDocument(deps, entry, doc, {
    etag: result.etag,
    lastModified: result.lastModified,
    validatorsUrl: result.url,
    links: doc.nofollow ? [] : links,
  });
}
