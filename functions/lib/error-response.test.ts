import { describe, expect, it } from 'vitest';
import {
  AppError,
  ConflictError,
  InternalError,
  RateLimitedError,
  ValidationError,
} from '#shared/errors/app-error.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { presentedKey } from './authenticate.ts';
import { corsHeaders } from './cors.ts';
import { errorResponse } from './error-response.ts';

const logger = createLogger({ level: 'error', write: () => undefined });
const parse = (body: string | undefined) => JSON.parse(body ?? '{}');

describe('errorResponse', () => {
  it.each([
    [
      new ValidationError('bad', { details: [{ path: 'name', message: 'required' }] }),
      400,
      'validation_error',
    ],
    [new ConflictError('taken'), 409, 'conflict'],
    [new RateLimitedError('slow down', 2.2), 429, 'rate_limited'],
    [new Error('boom with a secret'), 500, 'internal'],
  ])('maps %s to %i %s with the request id', (error, status, code) => {
    const res = errorResponse(error, 'req-1', logger);
    expect(res.statusCode).toBe(status);
    expect(res.headers).toMatchObject({ 'content-type': 'application/json', 'x-request-id': 'req-1' });
    expect(parse(res.body).error).toMatchObject({ code, requestId: 'req-1' });
  });

  it.each([
    [new Error('a bug'), 'error', true],
    [new AppError('unavailable', 'Twilio could not be reached.'), 'warn', false],
    [new ConflictError('taken'), 'info', false],
  ])('logs %s at %s (stack trace: %s)', (error, level, withStack) => {
    const lines: Record<string, unknown>[] = [];
    errorResponse(
      error,
      'r',
      createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe(level);
    const logged = lines[0]?.error as { stack?: string } | undefined;
    expect(typeof logged?.stack === 'string').toBe(withStack);
  });

  it('never exposes the message or details of internal errors', () => {
    const res = errorResponse(
      new InternalError('db password wrong', { details: { host: 'x' } }),
      'r',
      logger,
    );
    expect(parse(res.body).error).toEqual({
      code: 'internal',
      message: 'Something went wrong on our side.',
      requestId: 'r',
    });
    const raw = errorResponse(new TypeError('secret stack'), 'r', logger);
    expect(raw.body).not.toContain('secret');
  });

  it('puts Retry-After on every 429, rounded up to whole seconds', () => {
    expect(errorResponse(new RateLimitedError('x', 0.2), 'r', logger).headers?.['retry-after']).toBe('1');
    expect(errorResponse(new RateLimitedError('x', 4.5), 'r', logger).headers?.['retry-after']).toBe('5');
    expect(
      errorResponse(new AppError('rate_limited', 'provider'), 'r', logger).headers?.['retry-after'],
    ).toBe('1');
  });
});

describe('presentedKey', () => {
  it.each([
    [{ authorization: 'Bearer sk_abc' }, 'sk_abc'],
    [{ authorization: 'bearer   sk_abc  ' }, 'sk_abc'],
    [{ 'x-api-key': ' sk_abc ' }, 'sk_abc'],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, undefined],
    [{ authorization: 'Bearer' }, undefined],
    [{}, undefined],
  ])('%j → %s', (headers, key) => {
    expect(presentedKey(headers as Record<string, string>)).toBe(key);
  });
});

describe('corsHeaders', () => {
  it('allows listed origins or any with *, and nothing otherwise', () => {
    expect(corsHeaders('https://a.test', ['https://a.test'])['access-control-allow-origin']).toBe(
      'https://a.test',
    );
    expect(corsHeaders('https://b.test', ['*'])['access-control-allow-origin']).toBe('*');
    expect(corsHeaders('https://b.test', ['https://a.test'])).toEqual({});
    expect(corsHeaders(undefined, ['*'])).toEqual({});
    expect(corsHeaders('https://a.test', [])).toEqual({});
  });
});
