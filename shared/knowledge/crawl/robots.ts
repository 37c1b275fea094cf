import robotsParser from 'robots-parser';
import type { PageFetch } from '../../net/pinned-fetch.ts';
import { CRAWLER_USER_AGENT, fetchPage } from './fetch-page.ts';

export interface RobotsRules {
  isAllowed(url: string): boolean;
  crawlDelayMs(): number | undefined;
  sitemaps(): string[];
}

/** Rules from a robots.txt body ('' when there is none: everything allowed). */
export function parseRobots(robotsUrl: string, text: string): RobotsRules {
  const robots = robotsParser(robotsUrl, text);
  return {
    isAllowed: (url) => robots.isAllowed(url, CRAWLER_USER_AGENT) !== false,
    crawlDelayMs: () => {
      const seconds = robots.getCrawlDelay(CRAWLER_USER_AGENT);
      return seconds === undefined ? undefined : Math.min(60_000, seconds * 1000);
    },
    sitemaps: () => robots.getSitemaps(),
  };
}

/**
 * What the crawler stores for an origin: the body of robots.txt. A 4xx means no rules (allowed);
 * a 5xx or no answer means the whole site is off limits for now (as Google treats it).
 */
export async function fetchRobotsText(
  origin: string,
  options: { timeoutMs: number; allowPrivate: boolean; fetch?: PageFetch },
): Promise<{ text: string; unreachable: boolean }> {
  // Through the page fetcher, so robots.txt and its redirects obey the same SSRF rules and
  // pinned connections as pages (a redirect to another host is followed, as crawlers do).
  const result = await fetchPage(`${origin}/robots.txt`, {
    allowPrivate: options.allowPrivate,
    timeoutMs: options.timeoutMs,
    maxBytes: ROBOTS_MAX_BYTES,
    inScope: () => true,
    types: ROBOTS_TYPES,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  if (result.kind === 'ok') return { text: result.body.toString('utf8'), unreachable: false };
  return { text: '', unreachable: result.kind === 'retry' };
}

/** Google reads the first 500 KiB of robots.txt; a bigger file counts as none. */
const ROBOTS_MAX_BYTES = 500_000;
/** Servers label robots.txt loosely; anything textual is read. */
const ROBOTS_TYPES = ['text/plain', 'text/html', 'application/octet-stream', ''];
