import robotsParser from 'robots-parser';
import { CRAWLER_USER_AGENT } from './fetch-page.ts';

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
  options: { timeoutMs: number; fetch?: typeof fetch },
): Promise<{ text: string; unreachable: boolean }> {
  try {
    const response = await (options.fetch ?? fetch)(`${origin}/robots.txt`, {
      headers: { 'user-agent': CRAWLER_USER_AGENT },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (response.status >= 500) return { text: '', unreachable: true };
    if (!response.ok) return { text: '', unreachable: false };
    return { text: (await response.text()).slice(0, 500_000), unreachable: false };
  } catch {
    return { text: '', unreachable: true };
  }
}
