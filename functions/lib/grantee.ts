import type { Grantee } from '#shared/people/permissions.ts';
import type { HttpRequest } from './http-types.ts';

/** The caller as the permission table sees it (a person's role or a key's scopes). */
export function granteeOf(request: HttpRequest): Grantee {
  const auth = request.auth;
  if (auth?.kind === 'user' && auth.role) return { kind: 'user', role: auth.role };
  return { kind: 'apiKey', scopes: auth?.scopes ?? [] };
}
