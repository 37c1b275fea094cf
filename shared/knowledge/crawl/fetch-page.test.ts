import { describe, expect, it } from 'vitest';
import { conditionalHeaders, fetchPage } from './fetch-page.ts';

/** A site at a public address whose only page redirects to `location` (no network is touched). */
function redirectingSite(location: string) {
  const requested: string[] = [];
  const fakeFetch = (async (url: string | URL | Request) => {
    requested.push(String(url));
    return new Response(null, { status: 301, headers: { location } });
  }) as typeof fetch;
  return { requested, fakeFetch };
}

const options = { allowPrivate: false, timeoutMs: 5_000, maxBytes: 1_000_000, inScope: () => true };

describe('crawler SSRF rules on redirects (as deployed: private targets refused)', () => {
  it.each([
    ['loopback', 'http://127.0.0.1/admin'],
    ['link-local metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['private network', 'http://10.0.0.5/'],
    ['IPv6 loopback', 'http://[::1]/'],
  ])('skips a page that redirects to a %s address without requesting it', async (_name, location) => {
    const site = redirectingSite(location);
    const result = await fetchPage('http://93.184.216.34/start', { ...options, fetch: site.fakeFetch });
    expect(result).toMatchObject({ kind: 'skip', code: 'blocked_target' });
    expect(site.requested).toEqual(['http://93.184.216.34/start']);
  });

  it('refuses a private start URL before any request', async () => {
    const site = redirectingSite('http://93.184.216.34/');
    const result = await fetchPage('http://192.168.1.1/', { ...options, fetch: site.fakeFetch });
    expect(result).toMatchObject({ kind: 'skip', code: 'blocked_target' });
    expect(site.requested).toEqual([]);
  });
});

describe('conditionalHeaders: validators go to the hop they came from', () => {
  const start = 'https://example.com/old';
  const target = 'https://example.com/new';
  const both = { etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' };
  const sent = { 'if-none-match': '"v1"', 'if-modified-since': 'Tue, 01 Dec 2026 10:00:00 GMT' };
  it.each([
    ['no validators', start, {}, {}],
    ['record without validatorsUrl: hop 0', start, both, sent],
    ['record without validatorsUrl: not a later hop', target, both, {}],
    ['validators of the start URL: hop 0', start, { ...both, validatorsUrl: start }, sent],
    ['validators of the target: not hop 0', start, { ...both, validatorsUrl: target }, {}],
    ['validators of the target: the target hop', target, { ...both, validatorsUrl: target }, sent],
    ['only an ETag', start, { etag: '"v1"' }, { 'if-none-match': '"v1"' }],
    [
      'only Last-Modified',
      start,
      { lastModified: both.lastModified },
      { 'if-modified-since': both.lastModified },
    ],
  ])('%s', (_name, hop, stored, expected) => {
    expect(conditionalHeaders(hop, start, stored)).toEqual(expected);
  });
});

describe('fetchPage: a conditional request through a redirect', () => {
  /** /old redirects to /new, which answers 304 to a matching If-None-Match (and 304 to anything else). */
  function movedSite() {
    const asked: { url: string; ifNoneMatch: string | null }[] = [];
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      const ifNoneMatch = new Headers(init?.headers).get('if-none-match');
      asked.push({ url: String(url), ifNoneMatch });
      if (String(url).endsWith('/old'))
        return new Response(null, { status: 301, headers: { location: '/new' } });
      return new Response(null, { status: 304, headers: { etag: '"v1"' } });
    }) as typeof fetch;
    return { asked, fakeFetch };
  }
  const old = 'http://93.184.216.34/old';
  const moved = 'http://93.184.216.34/new';

  it('sends the validators to the redirect target they came from; its 304 is not_modified', async () => {
    const site = movedSite();
    const result = await fetchPage(old, {
      ...options,
      etag: '"v1"',
      validatorsUrl: moved,
      fetch: site.fakeFetch,
    });
    expect(site.asked).toEqual([
      { url: old, ifNoneMatch: null },
      { url: moved, ifNoneMatch: '"v1"' },
    ]);
    expect(result).toEqual({ kind: 'not_modified', url: moved, etag: '"v1"', lastModified: undefined });
  });

  it('takes a 304 to a request that carried no validators for no copy of ours', async () => {
    const site = movedSite();
    const result = await fetchPage(old, { ...options, etag: '"v1"', fetch: site.fakeFetch });
    expect(site.asked.map((a) => a.ifNoneMatch)).toEqual(['"v1"', null]);
    expect(result).toMatchObject({ kind: 'fail', code: 'http_304' });
  });
});
