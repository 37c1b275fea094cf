import { describe, expect, it } from 'vitest';
import { fieldMessages } from '../components/states.tsx';
import { ApiError, isMissingRoute, queryString, readCookie } from './client.ts';

describe('api client helpers', () => {
  it('builds query strings without empty values', () => {
    expect(queryString({ a: 'x y', b: undefined, c: '', d: 0, e: null })).toBe('?a=x+y&d=0');
    expect(queryString({})).toBe('');
  });
  it('reads one cookie by exact name', () => {
    expect(readCookie('a=1; aic_csrf=abc%3D; aic_csrf_old=zzz', 'aic_csrf')).toBe('abc=');
    expect(readCookie('xaic_csrf=1', 'aic_csrf')).toBeUndefined();
  });
  it('turns validation details into lines', () => {
    expect(fieldMessages([{ path: ['tools', 0, 'url'], message: 'Invalid URL' }])).toEqual([
      'tools.0.url: Invalid URL',
    ]);
    expect(fieldMessages({ from: 'must be before to' })).toEqual(['from: must be before to']);
    expect(fieldMessages('nope')).toEqual([]);
  });
  it('tells a missing route from a missing record', () => {
    expect(isMissingRoute(new ApiError(404, 'not_found', 'No such route.'))).toBe(true);
    expect(isMissingRoute(new ApiError(404, 'http_404', 'Not Found'))).toBe(true);
    expect(isMissingRoute(new ApiError(404, 'not_found', 'Agent not found.'))).toBe(false);
    expect(isMissingRoute(new Error('x'))).toBe(false);
  });
});
