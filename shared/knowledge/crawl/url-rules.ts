/** Query parameters that only track visitors: dropped so one page has one canonical URL. */
const TRACKING = /^(utm_\w+|fbclid|gclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|ref)$/i;

/**
 * The canonical form of a link: absolute, http(s) only, no fragment, no tracking parameters,
 * sorted query, no default port, lower-case host. Undefined for anything that is not a web page
 * address (mailto:, javascript:, malformed).
 */
export function canonicalUrl(raw: string, base?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  url.hash = '';
  const params = [...url.searchParams].filter(([key]) => !TRACKING.test(key));
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = params.length ? `?${new URLSearchParams(params).toString()}` : '';
  url.pathname = url.pathname.replace(/\/{2,}/g, '/').replace(/\/index\.html?$/i, '/');
  return url.toString();
}

const bareHost = (host: string) => host.toLowerCase().replace(/^www\./, '');

/** Same site: the start URL's host, with or without `www.`. */
export function sameSite(startUrl: string, url: string): boolean {
  try {
    return bareHost(new URL(startUrl).hostname) === bareHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Include/exclude patterns match the path with its query (`/docs/*`, `*\/print*`); a pattern
 * without a leading `/` or `*` also matches anywhere in it. Exclude wins over include; no
 * include list means everything.
 */
export function allowedByPatterns(
  url: string,
  include: readonly string[] = [],
  exclude: readonly string[] = [],
): boolean {
  const { pathname, search } = new URL(url);
  const target = `${pathname}${search}`;
  const matches = (pattern: string) => {
    const anchored = pattern.startsWith('/') || pattern.startsWith('*') ? pattern : `*${pattern}*`;
    return globToRegExp(anchored).test(target);
  };
  if (exclude.some(matches)) return false;
  return include.length === 0 || include.some(matches);
}

/** File types that are never pages worth fetching, known from the path alone. */
const BINARY_EXTENSIONS =
  /\.(png|jpe?g|gif|webp|svg|ico|bmp|tiff?|mp[34]|m4a|wav|ogg|webm|mov|avi|zip|gz|tgz|rar|7z|exe|dmg|iso|woff2?|ttf|eot|css|js|json|xml|rss|atom)$/i;

export function looksBinary(url: string): boolean {
  return BINARY_EXTENSIONS.test(new URL(url).pathname);
}
