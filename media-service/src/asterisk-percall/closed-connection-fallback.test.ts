import { describe, expect, it } from 'vitest';
import { closedConnectionFallback, mayRepeat } from './closed-connection-fallback.ts';
import { ConnectionClosedError } from './percall-connection.ts';
import type { AriExchange } from './request-rest.ts';

describe('mayRepeat', () => {
  it.each([
    ['GET', false, true],
    ['GET', true, true],
    ['DELETE', false, true],
    ['DELETE', true, true],
    ['POST', false, true],
    ['POST', true, false],
  ] as const)('%s sent=%s → %s', (method, sent, expected) => {
    expect(mayRepeat(method, sent)).toBe(expected);
  });
});

describe('closedConnectionFallback', () => {
  const httpCalls: string[] = [];
  const http: AriExchange = async (method, uri) => {
    httpCalls.push(`${method} ${uri}`);
    return { statusCode: 204 };
  };
  const failing =
    (error: Error): AriExchange =>
    async () => {
      throw error;
    };

  it('answers from the connection while it is open, without touching HTTP', async () => {
    httpCalls.length = 0;
    const exchange = closedConnectionFallback(async () => ({ statusCode: 200, body: '[]' }), http);
    expect(await exchange('GET', 'bridges')).toEqual({ statusCode: 200, body: '[]' });
    expect(httpCalls).toEqual([]);
  });

  it('sends a release over HTTP once the connection is closed', async () => {
    httpCalls.length = 0;
    const exchange = closedConnectionFallback(failing(new ConnectionClosedError(true)), http);
    expect(await exchange('DELETE', 'bridges/b1')).toEqual({ statusCode: 204 });
    expect(httpCalls).toEqual(['DELETE bridges/b1']);
  });

  it('does not repeat a create that may already have happened', async () => {
    httpCalls.length = 0;
    const exchange = closedConnectionFallback(failing(new ConnectionClosedError(true)), http);
    await expect(exchange('POST', 'bridges/b1/addChannel')).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(httpCalls).toEqual([]);
  });

  it('passes other failures (a timeout) through', async () => {
    httpCalls.length = 0;
    const exchange = closedConnectionFallback(failing(new Error('no RESTResponse within 5000 ms')), http);
    await expect(exchange('DELETE', 'bridges/b1')).rejects.toThrow('no RESTResponse');
    expect(httpCalls).toEqual([]);
  });
});
