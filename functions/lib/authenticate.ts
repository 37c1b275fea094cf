import { timingSafeEqual, createHash } from 'node:crypto';
import { secrets } from '#shared/config/secrets.ts';
import { isKeyUsageStale, touchApiKey } from '#shared/data/api-key-usage.ts';
import { findApiKeyBySecret } from '#shared/data/api-keys.ts';
import type { Db } from '#shared/data/client.ts';
import { consumeRateLimit } from '#shared/data/rate-limit.ts';
import { getTenant } from '#shared/data/tenants.ts';
import { ForbiddenError, UnauthorizedError } from '#shared/errors/app-error.ts';
import type { RouteAuth } from '#shared/http/route-types.ts';
import type { ApiKeyScope } from '#shared/tenants/tenant-types.ts';
import type { AuthContext, HttpRequest } from './http-types.ts';

/** `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(headers: Record<string, string>): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  return headers['x-api-key']?.trim() || undefined;
}

function sameSecret(a: string, b: string): boolean {
  // Compare digests so lengths match and timing reveals nothing about the admin key.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Read-only keys may only GET; routes that manage keys need `admin` (a `write` key must not be
 * able to mint itself a broader one).
 */
function requireScope(auth: AuthContext, method: string, needed: ApiKeyScope | undefined): void {
  if (auth.scopes.includes('admin')) return;
  if (needed === 'admin') throw new ForbiddenError('This route needs a key with the admin scope.');
  if (auth.scopes.includes('write')) return;
  if (auth.scopes.includes('read') && method === 'GET') return;
  throw new ForbiddenError('This API key is read-only.');
}

/**
 * Resolves who is calling. Tenant keys are looked up by hash on every request (no cache), so a
 * deleted key stops working at once; each tenant's requests are rate limited in DynamoDB.
 */
export async function authenticate(
  db: Db,
  request: HttpRequest,
  mode: RouteAuth,
  scope?: ApiKeyScope,
): Promise<AuthContext | undefined> {
  if (mode === 'none' || mode === 'signature') return undefined;
  const key = presentedKey(request.headers);
  if (!key) throw new UnauthorizedError();
  if (mode === 'admin') {
    const adminKey = await secrets().get('ADMIN_API_KEY');
    if (adminKey && sameSecret(key, adminKey)) return { kind: 'admin', scopes: ['admin'] };
    throw new UnauthorizedError('This route needs the platform admin key.');
  }
  const found = await findApiKeyBySecret(db, key);
  if (!found) throw new UnauthorizedError('The API key is not valid.');
  const tenant = await getTenant(db, found.tenantId);
  if (!tenant) throw new UnauthorizedError('The API key is not valid.');
  const auth: AuthContext = {
    kind: 'apiKey',
    tenantId: found.tenantId,
    keyId: found.keyId,
    scopes: found.scopes,
    tenantTimeZone: tenant.timezone,
  };
  requireScope(auth, request.method, scope);
  // Both windows are counted on every request, in parallel: the tenant's shared budget and the
  // key's own (its cap, or else the tenant's). A capped key cannot starve the tenant's other keys.
  const nowMs = Date.now();
  await Promise.all([
    consumeRateLimit(db, `api:${tenant.id}`, tenant.limits.requestsPerSecond, nowMs),
    consumeRateLimit(
      db,
      `key:${found.keyId}`,
      found.requestsPerSecond ?? tenant.limits.requestsPerSecond,
      nowMs,
    ),
    // "Last used" is bookkeeping: it must never fail a request.
    isKeyUsageStale(found.lastUsedAt, nowMs)
      ? touchApiKey(db, { tenantId: found.tenantId, keyId: found.keyId, secret: key }).catch(() => undefined)
      : undefined,
  ]);
  return auth;
}
