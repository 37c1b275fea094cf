import { describe, expect, it } from 'vitest';
import { fetchPage } from './fetch-page.ts';

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
