import { OutboundTargetRefusedError } from '../../net/outbound-request.ts';
import { refusedTarget } from '../../net/outbound-target.ts';
import { type PageFetch, pinnedFetch } from '../../net/pinned-fetch.ts';
import { parseRetryAfter } from './backoff.ts';
import { canonicalUrl } from './url-rules.ts';

export const CRAWLER_USER_AGENT = 'ai-caller-knowledge-bot/1.0 (+https://github.com/ai-caller/ai-caller)';
const MAX_REDIRECTS = 5;

export interface FetchOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  /** Validators of the stored copy, for a conditional request. */
  etag?: string;
  lastModified?: string;
  /** The URL the validators came from (the last hop of the redirects); the start URL by default. */
  validatorsUrl?: string;
  /** Each redirect target must pass this (same site); false makes the page skipped. */
  inScope(url: string): boolean;
  /** Content types worth reading (pages and documents by default). */
  types?: readonly string[];
  /** Tests only; by default connections are pinned to the addresses the SSRF rules checked. */
  fetch?: PageFetch;
}

export type FetchResult =
  | {
      kind: 'ok';
      url: string;
      body: Buffer;
      contentType: string;
      etag?: string;
      lastModified?: string;
    }
  | { kind: 'not_modified'; url: string; etag?: string; lastModified?: string }
  | { kind: 'retry'; code: string; message: string; retryAfterMs?: number }
  | { kind: 'skip'; code: string; message: string }
  | { kind: 'fail'; code: string; message: string };

/** Reads at most `maxBytes`; undefined when the body is larger (the rest is not downloaded). */
async function readLimited(response: Response, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

export interface StoredValidators {
  etag?: string;
  lastModified?: string;
  validatorsUrl?: string;
}

/**
 * The conditional headers for one hop. Validators belong to the response they came with, so
 * they go only to the hop whose URL gave them: for a page that redirects that is the target,
 * not the URL asked for (whose answer is the redirect, which no validator describes).
 */
export function conditionalHeaders(
  hopUrl: string,
  startUrl: string,
  stored: StoredValidators,
): Record<string, string> {
  if (hopUrl !== (stored.validatorsUrl || startUrl)) return {};
  const headers: Record<string, string> = {};
  if (stored.etag) headers['if-none-match'] = stored.etag;
  if (stored.lastModified) headers['if-modified-since'] = stored.lastModified;
  return headers;
}

/**
 * Fetches one page the way a polite, careful crawler does: identifying User-Agent, conditional
 * request when validators are known (sent to the hop they came from), redirects followed by hand (each hop checked against the
 * SSRF rules and the sync's scope, loops and chains over 5 hops refused), a size cap enforced while
 * reading. Never throws: every outcome is a result the caller records.
 */
export async function fetchPage(startUrl: string, options: FetchOptions): Promise<FetchResult> {
  const doFetch = options.fetch ?? pinnedFetch({ allowPrivate: options.allowPrivate });
  const seen = new Set<string>();
  let url = startUrl;
  for (let hop = 0; ; hop++) {
    if (seen.has(url))
      return { kind: 'skip', code: 'redirect_loop', message: 'The page redirects in a loop.' };
    seen.add(url);
    const blocked = await refusedTarget(url, { allowPrivate: options.allowPrivate });
    if (blocked) return { kind: 'skip', code: 'blocked_target', message: `Refused target: ${blocked}.` };
    const headers: Record<string, string> = {
      'user-agent': CRAWLER_USER_AGENT,
      accept: 'text/html,application/xhtml+xml,text/plain,text/markdown,application/pdf;q=0.9,*/*;q=0.1',
      ...conditionalHeaders(url, startUrl, options),
    };
    const conditional = 'if-none-match' in headers || 'if-modified-since' in headers;
    let response: Response;
    try {
      response = await doFetch(url, {
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      // The name resolved (this time) to an address the rules refuse: DNS rebinding or a change.
      if (error instanceof OutboundTargetRefusedError)
        return { kind: 'skip', code: 'blocked_target', message: `Refused target: ${error.reason}.` };
      const timedOut = (error as Error).name === 'TimeoutError';
      return timedOut
        ? { kind: 'retry', code: 'timeout', message: `No response within ${options.timeoutMs} ms.` }
        : { kind: 'retry', code: 'connection_failed', message: 'The connection failed.' };
    }
    const status = response.status;
    if (status >= 300 && status < 400 && status !== 304) {
      await response.body?.cancel().catch(() => undefined);
      const next = canonicalUrl(response.headers.get('location') ?? '', url);
      if (!next)
        return { kind: 'skip', code: 'bad_redirect', message: 'A redirect without a usable Location.' };
      if (seen.has(next))
        return { kind: 'skip', code: 'redirect_loop', message: 'The page redirects in a loop.' };
      if (hop + 1 > MAX_REDIRECTS)
        return { kind: 'skip', code: 'too_many_redirects', message: `More than ${MAX_REDIRECTS} redirects.` };
      if (!options.inScope(next))
        return { kind: 'skip', code: 'off_site_redirect', message: `Redirects off site to ${next}.` };
      url = next;
      continue;
    }
    const etag = response.headers.get('etag') ?? undefined;
    const lastModified = response.headers.get('last-modified') ?? undefined;
    // A 304 to a request without validators describes no copy of ours: treat it like any odd status.
    if (status === 304 && conditional)
      return {
        kind: 'not_modified',
        url,
        etag: etag ?? options.etag,
        lastModified: lastModified ?? options.lastModified,
      };
    if (status === 429 || status >= 500 || status === 408) {
      await response.body?.cancel().catch(() => undefined);
      return {
        kind: 'retry',
        code: `http_${status}`,
        message: `The server answered ${status}.`,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      };
    }
    if (status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'fail', code: `http_${status}`, message: `The server answered ${status}.` };
    }
    const contentType =
      (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!(options.types ?? READABLE_TYPES).includes(contentType)) {
      await response.body?.cancel().catch(() => undefined);
      return {
        kind: 'skip',
        code: 'unsupported_content_type',
        message: `Not a readable document (${contentType || 'no type'}).`,
      };
    }
    let body: Buffer | undefined;
    try {
      body = await readLimited(response, options.maxBytes);
    } catch {
      return { kind: 'retry', code: 'connection_failed', message: 'The connection broke while reading.' };
    }
    if (!body) return { kind: 'skip', code: 'too_large', message: `Larger than ${options.maxBytes} bytes.` };
    return { kind: 'ok', url, body, contentType, etag, lastModified };
  }
}

export const READABLE_TYPES = [
  'text/html',
  'application/xhtml+xml',
  'text/plain',
  'text/markdown',
  'application/pdf',
];
export const SITEMAP_TYPES = ['application/xml', 'text/xml', 'text/plain'];
