/**
 * CORS headers for an allowed origin (`*` in the list allows any). Empty list: no CORS headers.
 * Listed origins may send credentials (the console's session cookies); `*` never may.
 */
export function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (!origin || allowed.length === 0) return {};
  if (!allowed.includes('*') && !allowed.includes(origin)) return {};
  return {
    'access-control-allow-origin': allowed.includes('*') ? '*' : origin,
    'access-control-allow-headers':
      'authorization,content-type,x-api-key,x-request-id,idempotency-key,x-csrf-token',
    ...(allowed.includes('*') ? {} : { 'access-control-allow-credentials': 'true' }),
    'access-control-allow-methods': 'GET,POST,PATCH,PUT,DELETE,OPTIONS',
    'access-control-expose-headers': 'x-request-id,retry-after,idempotent-replayed',
    'access-control-max-age': '600',
    vary: 'origin',
  };
}
