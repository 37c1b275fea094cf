/**
 * The platform's error hierarchy. Every error carries a stable string `code` that clients can
 * branch on, the HTTP status it maps to, and whether retrying may help. Adapters translate vendor
 * exceptions into these where they happen, so nothing above them sees an AWS or HTTP library error.
 */
export type ErrorCode =
  | 'validation_error'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unavailable'
  | 'internal'
  // People and sign-in (shared/people)
  | 'weak_password'
  | 'invalid_credentials'
  | 'invalid_token'
  | 'invalid_mfa_code'
  | 'refresh_token_reused'
  | 'csrf_failed'
  | 'mfa_enrollment_required'
  | 'too_many_attempts'
  | 'last_owner';

export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  validation_error: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  weak_password: 400,
  invalid_credentials: 401,
  invalid_token: 401,
  invalid_mfa_code: 401,
  refresh_token_reused: 401,
  csrf_failed: 403,
  mfa_enrollment_required: 403,
  too_many_attempts: 429,
  last_owner: 409,
};

export interface AppErrorOptions {
  details?: unknown;
  cause?: unknown;
  retryable?: boolean;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.details = options.details;
    this.retryable = options.retryable ?? (code === 'unavailable' || code === 'rate_limited');
  }
}

export class ValidationError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('validation_error', message, options);
    this.name = 'ValidationError';
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'A valid API key is required.', options?: AppErrorOptions) {
    super('unauthorized', message, options);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'This key may not do that.', options?: AppErrorOptions) {
    super('forbidden', message, options);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found.', options?: AppErrorOptions) {
    super('not_found', message, options);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
}

export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options?: AppErrorOptions) {
    super('rate_limited', message, options);
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** Sign-in attempts refused for a while (growing delay or temporary lock); says when to retry. */
export class TooManyAttemptsError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options?: AppErrorOptions) {
    super('too_many_attempts', message, options);
    this.name = 'TooManyAttemptsError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'The request body is too large.', options?: AppErrorOptions) {
    super('payload_too_large', message, options);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnavailableError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('unavailable', message, { retryable: true, ...options });
    this.name = 'UnavailableError';
  }
}

export class InternalError extends AppError {
  constructor(message = 'Something went wrong on our side.', options?: AppErrorOptions) {
    super('internal', message, options);
    this.name = 'InternalError';
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** Wraps anything thrown into an AppError; unknown errors become `internal` with the original as cause. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  return new InternalError(undefined, { cause: error });
}
