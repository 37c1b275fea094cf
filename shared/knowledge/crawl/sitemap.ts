/** `<loc>` entries of a sitemap or sitemap index (XML entities decoded). */
export function parseSitemap(xml: string): { pages: string[]; sitemaps: string[] } {
  const decode = (s: string) =>
    s
      .replace(/<!\[CDATA\[(.*?)\]\]>/gs, '$1')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .trim();
  const locs = (block: string) =>
    [...block.matchAll(/<loc>([\s\S]*?)<\/loc>/gi)].map((m) => decode(m[1] as string));
  const isIndex = /<sitemapindex[\s>]/i.test(xml);
  if (isIndex) return { pages: [], sitemaps: locs(xml) };
  return { pages: locs(xml), sitemaps: [] };
}
