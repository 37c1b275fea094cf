import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { secrets, type SecretStore } from '#shared/config/secrets.ts';
import { findApiKeyBySecret } from '#shared/data/api-keys.ts';
import { type Db, dbFromEnv } from '#shared/data/client.ts';
import { getSession } from '#shared/data/sessions.ts';
import { getUser } from '#shared/data/users.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { ACCESS_COOKIE, readCookies } from '#shared/people/cookies.ts';
import { looksLikeJwt, verifyAccessToken } from '#shared/people/session-tokens.ts';
import { type KeyringSource, keyringFromEnv } from '#shared/people/signing-keys.ts';
import { presentedKey } from '../lib/authenticate.ts';

/** Context handed to integrations (`requestContext.authorizer.lambda`); values must be scalars. */
export type AuthorizerContext =
  | { kind: 'admin' }
  | { kind: 'apiKey'; tenantId: string; keyId: string; scopes: string }
  | { kind: 'user'; tenantId: string; userId: string; role: string; sessionId: string };

/** The HTTP API "simple response" shape. */
export type AuthorizerResult = { isAuthorized: false } | { isAuthorized: true; context: AuthorizerContext };

const logger = createLogger({ context: { service: 'authorizer' } });

function sameSecret(a: string, b: string): boolean {
  // Digests have equal lengths, so the comparison time says nothing about the admin key.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Lower-cased header map (API Gateway lower-cases v2 headers already; direct callers may not). */
function lowerCased(headers: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** A live session: a valid access token whose session family and user still exist. */
async function authorizeSession(db: Db, keyring: KeyringSource, token: string): Promise<AuthorizerResult> {
  const claims = await verifyAccessToken(keyring, token).catch(() => undefined);
  if (!claims) return { isAuthorized: false };
  const [session, user] = await Promise.all([
    getSession(db, claims.sessionId),
    getUser(db, claims.tenantId, claims.userId),
  ]);
  if (!session || session.revoked || !user || session.userId !== user.id) return { isAuthorized: false };
  return {
    isAuthorized: true,
    context: {
      kind: 'user',
      tenantId: user.tenantId,
      userId: user.id,
      role: user.role,
      sessionId: session.id,
    },
  };
}

/**
 * Decides whether a request carries a valid credential: the platform admin key, a live tenant
 * key, or a team member's session (an access token as `Bearer`, or the `aic_access` cookie).
 * It runs before the handler and its answer is cached per Authorization header, so unknown keys
 * are turned away at the edge without invoking route functions. It does not replace the handlers'
 * own check (scopes, tenant state, rate limit, admin-only routes), which runs on every request;
 * that is why deleting a key takes effect at once even while a cached "allow" lives on here.
 */
export async function authorizeApiKey(
  deps: { db: Db; secrets: SecretStore; keyring?: KeyringSource },
  headers: Record<string, string | undefined> | undefined,
  cookies: readonly string[] = [],
): Promise<AuthorizerResult> {
  const lower = lowerCased(headers);
  const key = presentedKey(lower);
  const keyring = deps.keyring ?? keyringFromEnv();
  if (!key) {
    const cookie = readCookies(lower.cookie, cookies)[ACCESS_COOKIE];
    return cookie ? authorizeSession(deps.db, keyring, cookie) : { isAuthorized: false };
  }
  if (looksLikeJwt(key)) return authorizeSession(deps.db, keyring, key);
  const adminKey = await deps.secrets.get('ADMIN_API_KEY');
  if (adminKey && sameSecret(key, adminKey)) return { isAuthorized: true, context: { kind: 'admin' } };
  const found = await findApiKeyBySecret(deps.db, key);
  if (!found) return { isAuthorized: false };
  return {
    isAuthorized: true,
    context: { kind: 'apiKey', tenantId: found.tenantId, keyId: found.keyId, scopes: found.scopes.join(' ') },
  };
}

/**
 * HTTP API REQUEST authorizer, simple responses. A failure to reach DynamoDB or Secrets Manager
 * throws, so API Gateway answers 500 and caches nothing, instead of caching a wrong "deny".
 */
export const handler = async (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> => {
  try {
    return await authorizeApiKey({ db: dbFromEnv(), secrets: secrets() }, event.headers, event.cookies ?? []);
  } catch (error) {
    logger.error('authorizer failed', {
      route: event.routeKey,
      requestId: event.requestContext?.requestId,
      err: error,
    });
    throw error;
  }
};
