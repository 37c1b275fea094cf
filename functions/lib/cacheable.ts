import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResult } from './http-types.ts';

/**
 * A JSON 200 that clients and proxies may revalidate: a strong ETag over the body, private
 * caching for a minute, and 304 without a body when `If-None-Match` names the current ETag.
 */
export function cacheableJson(request: HttpRequest, body: unknown, maxAgeSeconds = 60): HttpResult {
  const json = JSON.stringify(body);
  const etag = `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
  const headers = { etag, 'cache-control': `private, max-age=${maxAgeSeconds}`, vary: 'Authorization' };
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    return { status: 304, headers };
  }
  return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, body: json, raw: true };
}
