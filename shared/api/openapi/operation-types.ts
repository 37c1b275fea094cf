import type { ErrorCode } from '../../errors/app-error.ts';
import type { HttpMethod, RouteAuth } from '../../http/route-types.ts';
import type { z } from 'zod';
import type { HandlerGrants } from '../../grants/handler-grants.ts';
import type { Permission } from '../../people/permissions.ts';

/**
 * One operation of the REST API, declared once: the route CDK and the local gateway serve, its
 * handler's auth and scope (checked against the handler by `functions/api/route-declarations.test.ts`),
 * the IAM grants of its function, and its reference entry, with the same zod schemas the handler
 * validates with.
 */
export interface ApiOperation {
  method: HttpMethod;
  path: string;
  operationId: string;
  /** Handler module under `functions/api/`, without `.ts` (`create-agent`); it exports `handler`. */
  handler: string;
  /** What the handler's function may touch (see `shared/grants/handler-grants.ts`). */
  grants: HandlerGrants;
  tag: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  /** The route's permission class when not the default (GET → read, others → write). */
  scope?: Permission;
  query?: z.ZodType;
  /** Accepts an `Idempotency-Key` header that makes retries safe. */
  idempotent?: boolean;
  body?: z.ZodType;
  success: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  errors: ErrorCode[];
}

export const AUTH_ERRORS: ErrorCode[] = ['unauthorized', 'forbidden', 'rate_limited'];
export const READ_ERRORS: ErrorCode[] = ['validation_error', ...AUTH_ERRORS];
export const WRITE_ERRORS: ErrorCode[] = ['validation_error', ...AUTH_ERRORS, 'payload_too_large'];

/**
 * The grants of a REST handler: what every one touches through the shared wrapper (API keys,
 * sessions and rate limits in the table, the platform secret, the session keyring), plus what its
 * own use case adds (queues, buckets, email).
 */
export function apiGrants(
  extra: Omit<HandlerGrants, 'table' | 'secrets' | 'sessionKeys'> = {},
): HandlerGrants {
  return { table: 'write', secrets: true, sessionKeys: true, ...extra };
}
