import { describe, expect, it } from 'vitest';
import { fuseRankings } from '../index/lance-index.ts';
import { parseRetryAfter, retryDelayMs } from './backoff.ts';
import { chunkDocument } from './chunk-text.ts';
import { extractHtml } from './extract-html.ts';
import { extractMarkdown } from './extract-text.ts';
import { parseSitemap } from './sitemap.ts';
import { allowedByPatterns, canonicalUrl, sameSite } from './url-rules.ts';

describe('canonicalUrl', () => {
  it.each([
    ['https://Example.COM:443/a/b?utm_source=x&b=2&a=1#top', undefined, 'https://example.com/a/b?a=1&b=2'],
    ['/docs//intro/index.html', 'http://site.test/x/', 'http://site.test/docs/intro/'],
    ['../up', 'http://site.test/a/b/c', 'http://site.test/a/up'],
    ['mailto:hi@site.test', 'http://site.test/', undefined],
    ['javascript:void(0)', 'http://site.test/', undefined],
    ['ftp://site.test/file', undefined, undefined],
    ['http://user:pw@site.test/', undefined, undefined],
    ['http://[::1', undefined, undefined],
  ])('%s (base %s) → %s', (raw, base, expected) => {
    expect(canonicalUrl(raw, base)).toBe(expected);
  });
});

describe('scope', () => {
  it.each([
    ['https://acme.test/', 'https://www.acme.test/x', true],
    ['https://acme.test/', 'https://docs.acme.test/x', false],
    ['https://acme.test/', 'https://other.test/', false],
  ])('sameSite(%s, %s) = %s', (start, url, expected) => expect(sameSite(start, url)).toBe(expected));

  it.each([
    ['https://a.test/docs/x', ['/docs/*'], [], true],
    ['https://a.test/blog/x', ['/docs/*'], [], false],
    ['https://a.test/docs/print/x', ['/docs/*'], ['print'], false],
    ['https://a.test/x?page=2', [], ['*page=*'], false],
    ['https://a.test/anything', [], [], true],
  ])('%s include %j exclude %j → %s', (url, include, exclude, expected) => {
    expect(allowedByPatterns(url, include, exclude)).toBe(expected);
  });
});

describe('backoff', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 5_000 };
  it.each([
    [1, 0.5, undefined, 500],
    [2, 0.5, undefined, 1_000],
    [3, 0.999, undefined, 3_996],
    [10, 0.5, undefined, 2_500],
    [1, 0.1, 30_000, 30_000],
    [1, 0, undefined, 0],
  ])('attempt %i, random %f, Retry-After %s → %i ms', (attempt, random, retryAfter, expected) => {
    expect(retryDelayMs(attempt, policy, retryAfter, () => random)).toBe(expected);
  });
  it.each([
    ['120', 120_000],
    ['Thu, 01 Jan 2026 00:01:00 GMT', 60_000],
    ['soon', undefined],
    [null, undefined],
  ])('Retry-After %s → %s ms', (value, expected) => {
    expect(parseRetryAfter(value, Date.parse('2026-01-01T00:00:00Z'))).toBe(expected);
  });
});

describe('extraction and chunking', () => {
  const html = `<html><head><title>Acme | Pricing</title><link rel="canonical" href="/pricing"><meta name="robots" content="nofollow"></head>
<body><nav><a href="/a">Menu item</a></nav><script>var x = 1;</script>
<main><h1>Pricing</h1><p>Intro text.</p><h2>Pro</h2><p>Pro costs <b>49</b> euros.</p><h2>Team</h2><ul><li>Ten seats</li><li>SSO</li></ul></main>
<footer>Footer</footer><a href="mailto:x@y.z">mail</a><a href="https://other.test/" rel="nofollow">o</a></body></html>`;

  it('keeps the main text in heading sections, drops furniture, reads links and robots hints', () => {
    const doc = extractHtml(html, 'https://acme.test/pricing?x=1');
    expect(doc.title).toBe('Acme | Pricing');
    expect(doc.sections).toEqual([
      { headings: ['Pricing'], text: 'Intro text.' },
      { headings: ['Pricing', 'Pro'], text: 'Pro costs 49 euros.' },
      { headings: ['Pricing', 'Team'], text: 'Ten seats\n\nSSO' },
    ]);
    expect(doc.links).toEqual(['https://acme.test/a']);
    expect(doc).toMatchObject({ canonical: 'https://acme.test/pricing', nofollow: true, noindex: false });
  });

  it('chunks by heading, with the heading path in front and overlap inside long sections', () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} talks about teeth.`).join(' ');
    const chunks = chunkDocument(
      extractMarkdown(`# Care\n\n## Brushing\n\n${long}\n\n## Flossing\n\nDaily.`, 'x'),
      {
        maxChars: 400,
        overlapChars: 80,
      },
    );
    expect(chunks.at(-1)).toEqual({ heading: 'Care › Flossing', text: 'Care › Flossing\nDaily.' });
    const brushing = chunks.filter((c) => c.heading === 'Care › Brushing');
    expect(brushing.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(400);
    // Overlap: each chunk starts with words from the end of the one before.
    const [first, second] = brushing.map((c) => c.text.replace('Care › Brushing\n', ''));
    expect(first?.endsWith(second?.split(' ').slice(0, 3).join(' ') ?? '')).toBe(false);
    expect(first).toContain(second?.split(' ').slice(0, 4).join(' '));
  });

  it('reads sitemaps and sitemap indexes', () => {
    expect(parseSitemap('<urlset><url><loc> https://a.test/x?a=1&amp;b=2 </loc></url></urlset>')).toEqual({
      pages: ['https://a.test/x?a=1&b=2'],
      sitemaps: [],
    });
    expect(
      parseSitemap('<sitemapindex><sitemap><loc>https://a.test/s1.xml</loc></sitemap></sitemapindex>'),
    ).toEqual({
      pages: [],
      sitemaps: ['https://a.test/s1.xml'],
    });
  });
});

describe('reciprocal rank fusion', () => {
  it('rewards hits that both rankings agree on and keeps topK', () => {
    const fused = fuseRankings(
      [
        [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
        [{ id: 'b' }, { id: 'd' }, { id: 'e' }],
      ],
      3,
    );
    expect(fused.map((h) => h.id)).toEqual(['b', 'a', 'd']);
    expect(fused[0]?.score).toBeCloseTo(1 / 62 + 1 / 61, 6);
  });
});
