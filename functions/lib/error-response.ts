import {
  type AppError,
  RateLimitedError,
  TooManyAttemptsError,
  toAppError,
} from '#shared/errors/app-error.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { LambdaHttpResult } from './http-types.ts';

/**
 * The one place errors become HTTP responses: `{"error":{code,message,details?,requestId}}` with
 * the code's status. Messages of 5xx errors are generic; their cause goes to the log only.
 */
export function errorResponse(error: unknown, requestId: string, logger: Logger): LambdaHttpResult {
  const appError: AppError = toAppError(error);
  if (appError.code === 'unavailable') {
    // A provider or dependency is down or not configured: the client is told, nothing of ours broke.
    logger.warn('request failed: a dependency is unavailable', {
      code: appError.code,
      err: appError.cause ?? appError,
    });
  } else if (appError.status >= 500) {
    logger.error('request failed', { code: appError.code, err: appError.cause ?? appError });
  } else {
    logger.info('request rejected', { code: appError.code, status: appError.status });
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-request-id': requestId,
  };
  // Every 429 says when to retry, including rate limits passed on from providers.
  if (appError.code === 'rate_limited' || appError.code === 'too_many_attempts') {
    headers['retry-after'] = String(
      appError instanceof RateLimitedError || appError instanceof TooManyAttemptsError
        ? appError.retryAfterSeconds
        : 1,
    );
  }
  const body = {
    error: {
      code: appError.code,
      message:
        appError.status >= 500 && appError.code === 'internal'
          ? 'Something went wrong on our side.'
          : appError.message,
      // `unavailable` details are built for clients (which call failed, which provider); internal
      // errors never expose theirs.
      ...(appError.details !== undefined && appError.code !== 'internal'
        ? { details: appError.details }
        : {}),
      requestId,
    },
  };
  return { statusCode: appError.status, headers, body: JSON.stringify(body) };
}
