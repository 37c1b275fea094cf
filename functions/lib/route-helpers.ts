import type { z } from 'zod';
import { cursorSigningKey } from '#shared/api/cursor-key.ts';
import { secrets } from '#shared/config/secrets.ts';
import { InternalError, NotFoundError } from '#shared/errors/app-error.ts';
import { parseOrThrow } from '#shared/errors/zod-error.ts';
import { hasPrefix, type IdKind } from '#shared/ids/ids.ts';
import type { HttpRequest } from './http-types.ts';
import { jsonBody } from './parse-request.ts';

/** The authenticated tenant (routes with `auth: 'apiKey'` always have one). */
export function tenantIdOf(request: HttpRequest): string {
  const tenantId = request.auth?.tenantId;
  if (!tenantId) throw new InternalError('A tenant route ran without a tenant.');
  return tenantId;
}

/**
 * The `{id}` path parameter. An id that is not even of the right kind is simply not found (never
 * a database error from an oversized or odd key).
 */
export function pathId(request: HttpRequest, kind: IdKind, what: string): string {
  const id = request.pathParams.id ?? '';
  if (!hasPrefix(id, kind)) throw new NotFoundError(`${what} not found.`);
  return id;
}

export function parseQuery<S extends z.ZodType>(request: HttpRequest, schema: S): z.output<S> {
  return parseOrThrow(schema, request.query, 'query');
}

export function parseBody<S extends z.ZodType>(request: HttpRequest, schema: S): z.output<S> {
  return parseOrThrow(schema, jsonBody(request), 'request body');
}

export async function cursorKey(): Promise<string> {
  return cursorSigningKey(await secrets().require('INTERNAL_SIGNING_KEY'));
}
