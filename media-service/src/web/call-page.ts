import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyStreamToken } from '#shared/calls/stream-token.ts';
import { AppError } from '#shared/errors/app-error.ts';

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../public');

/** The page's static files, served under `/call/` (no build step: plain modules and worklets). */
const ASSETS: Record<string, string> = {
  'call.js': 'text/javascript; charset=utf-8',
  'call-audio.js': 'text/javascript; charset=utf-8',
  'call-messages.js': 'text/javascript; charset=utf-8',
  'capture-processor.js': 'text/javascript; charset=utf-8',
  'playback-processor.js': 'text/javascript; charset=utf-8',
  'call.css': 'text/css; charset=utf-8',
};

/**
 * The page may be framed by any site (tenants embed it); it loads only its own files and talks
 * only to its own origin. The token sits in the URL, so nothing may send it on as a referrer.
 */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors *",
};

export type PageMode = 'token' | 'demo';
/** Problems the server can tell before the call starts; the page shows the matching message. */
export type PageProblem = '' | 'token_invalid' | 'token_expired' | 'unavailable';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Loads the page template and assets once; the returned functions serve them. */
export function loadCallPage(publicDir: string = PUBLIC_DIR) {
  const template = readFileSync(join(publicDir, 'call.html'), 'utf8');
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(ASSETS)) {
    const body = readFileSync(join(publicDir, name));
    assets.set(`/call/${name}`, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }

  return {
    assetPaths: [...assets.keys()],

    /** Renders the page; both substituted values come from fixed sets, so nothing needs escaping. */
    renderPage(res: ServerResponse, status: number, mode: PageMode, problem: PageProblem): void {
      const html = template.replace('{{mode}}', mode).replace('{{initialError}}', problem);
      res.writeHead(status, PAGE_HEADERS);
      res.end(html);
    },

    serveAsset(req: IncomingMessage, res: ServerResponse, path: string): void {
      const asset = assets.get(path);
      if (!asset) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'not_found', message: 'No such file.' } }));
        return;
      }
      const headers = {
        'content-type': asset.type,
        'cache-control': 'no-cache',
        etag: asset.etag,
        'x-content-type-options': 'nosniff',
      };
      if (req.headers['if-none-match'] === asset.etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': asset.body.length });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    },
  };
}

/**
 * Checks a page link's token without spending it (only the WebSocket consumes it), so an expired
 * or mangled link says so as soon as it opens instead of after the caller allowed the microphone.
 */
export function pageTokenProblem(token: string | null, key: string, nowMs = Date.now()): PageProblem {
  if (!token) return 'token_invalid';
  try {
    const claims = verifyStreamToken(token, key, nowMs);
    return claims.provider === 'web' ? '' : 'token_invalid';
  } catch (error) {
    const reason =
      error instanceof AppError ? (error.details as { reason?: string } | undefined)?.reason : '';
    return reason === 'expired' ? 'token_expired' : 'token_invalid';
  }
}
