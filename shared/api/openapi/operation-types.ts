import type { ErrorCode } from '../../errors/app-error.ts';
import type { HttpMethod, RouteAuth } from '../../http/route-types.ts';
import type { z } from 'zod';

/** One documented operation: the same zod schemas the handlers validate with. */
export interface ApiOperation {
  method: HttpMethod;
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  scope?: 'admin';
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
