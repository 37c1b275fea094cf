import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { CONSOLE_ASSET_CACHE, CONSOLE_INDEX_CACHE } from '#shared/http/console-security.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ConsoleStaticOptions {
  distDir: string;
  /** Security headers (the same as CloudFront's response headers policy). */
  headers: Record<string, string>;
}

/** Paths that belong to the API or the provider webhooks, never to the single-page app. */
export function isApiPath(path: string): boolean {
  return (
    path === '/v1' ||
    path.startsWith('/v1/') ||
    path.startsWith('/webhooks/') ||
    path === '/health' ||
    path === '/docs'
  );
}

/**
 * What CloudFront does for the console: a file of the build when the path names one (hashed
 * assets cached for a year), otherwise `index.html` (never cached) so deep links such as
 * `/calls/call_123` load the app, which routes them itself. Returns false for API paths.
 */
export function serveConsole(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  options: ConsoleStaticOptions,
): boolean {
  if (isApiPath(path) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const indexPath = join(options.distDir, 'index.html');
  if (!existsSync(indexPath)) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = '/';
  }
  const candidate = normalize(join(options.distDir, decoded));
  const inside = candidate.startsWith(options.distDir + sep);
  const isFile = inside && !decoded.includes('/.') && existsSync(candidate) && statSync(candidate).isFile();
  const file = isFile ? candidate : indexPath;
  const isIndex = file === indexPath;
  // A missing hashed asset is a 404 (serving index.html as JavaScript would break loudly later).
  if (!isFile && decoded.startsWith('/assets/')) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...options.headers });
    res.end('Not found');
    return true;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': isIndex
      ? CONSOLE_INDEX_CACHE
      : decoded.startsWith('/assets/')
        ? CONSOLE_ASSET_CACHE
        : 'public, max-age=300',
    ...options.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  return true;
}
