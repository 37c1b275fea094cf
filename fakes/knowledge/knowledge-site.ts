import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One resource of the fake site. */
export interface SitePage {
  body?: string | Buffer;
  type?: string;
  status?: number;
  headers?: Record<string, string>;
  /** Answer these statuses first, in order (e.g. `[429]` then the page). */
  failFirst?: { status: number; headers?: Record<string, string> }[];
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer only once this resolves (a test orders the crawler's work by an event, not a delay). */
  gate?: () => Promise<unknown>;
  /** Declared but never answered within any sane timeout. */
  hang?: boolean;
}

/**
 * A website served over real HTTP for crawler tests and the benchmark: pages by path, ETags on
 * every 200 (and 304 for a matching If-None-Match), scripted failures, redirects, delays. It
 * records every request so tests can see what the crawler asked for and how.
 */
export interface FakeSite {
  url: string;
  pages: Map<string, SitePage>;
  requests: { path: string; conditional: boolean; userAgent: string; status: number }[];
  /** The most requests the site was answering at one time (a crawler's politeness shows here). */
  readonly maxInFlight: number;
  set(path: string, page: SitePage): void;
  close(): Promise<void>;
}

export async function startFakeSite(pages: Record<string, SitePage> = {}): Promise<FakeSite> {
  const map = new Map(Object.entries(pages));
  const served = new Map<string, number>();
  const requests: FakeSite['requests'] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const page = map.get(path);
    const record = (status: number) =>
      requests.push({
        path,
        conditional: !!req.headers['if-none-match'],
        userAgent: String(req.headers['user-agent']),
        status,
      });
    if (!page) {
      record(404);
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
      return;
    }
    if (page.hang) return;
    if (page.delayMs) await new Promise((r) => setTimeout(r, page.delayMs));
    if (page.gate) await page.gate();
    const count = served.get(path) ?? 0;
    served.set(path, count + 1);
    const failure = page.failFirst?.[count];
    if (failure) {
      record(failure.status);
      res.writeHead(failure.status, { 'content-type': 'text/plain', ...failure.headers }).end('try later');
      return;
    }
    const status = page.status ?? 200;
    if (status !== 200) {
      record(status);
      res.writeHead(status, { ...page.headers }).end();
      return;
    }
    const body = typeof page.body === 'string' ? Buffer.from(page.body) : (page.body ?? Buffer.alloc(0));
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) {
      record(304);
      res.writeHead(304, { etag }).end();
      return;
    }
    record(200);
    res.writeHead(200, {
      'content-type': page.type ?? 'text/html; charset=utf-8',
      etag,
      'content-length': body.length,
      ...page.headers,
    });
    res.end(body);
  };
  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => {
      inFlight -= 1;
    });
    void handle(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pages: map,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    set: (path, page) => {
      map.set(path, page);
      served.delete(path);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A page with navigation and footer (which the extractor must drop) around its content. */
export function htmlPage(title: string, content: string, links: string[] = []): string {
  return `<!doctype html><html><head><title>${title}</title><script>var tracking = "do not index";</script></head>
<body><header><nav>${links.map((l) => `<a href="${l}">${l}</a>`).join(' ')}</nav></header>
<main>${content}</main>
<footer>Copyright footer text that is on every page</footer></body></html>`;
}
