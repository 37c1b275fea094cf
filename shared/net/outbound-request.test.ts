import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundTargetRefusedError, outboundRequest } from './outbound-request.ts';

let server: Server;
let port: number;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
    if (to) {
      res.writeHead(req.url?.startsWith('/307') ? 307 : 302, { location: to }).end();
      return;
    }
    res.writeHead(200).end(`answer from ${req.url}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server?.close());

const base = { headers: {}, timeoutMs: 2_000, maxRedirects: 3, maxResponseBytes: 1_000 };
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'allowed',
    (error: unknown) => (error instanceof OutboundTargetRefusedError ? error.reason : String(error)),
  );

describe('outboundRequest', () => {
  it('follows redirects it may follow, turning a 302 after POST into a GET', async () => {
    const target = `http://127.0.0.1:${port}/final`;
    const response = await outboundRequest(
      `http://127.0.0.1:${port}/hop?to=${encodeURIComponent(target)}`,
      { ...base, method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } },
      { allowPrivate: true },
    );
    expect(response).toMatchObject({ status: 200, body: 'answer from /final', url: target });
    expect(seen.slice(-2)).toEqual([expect.stringMatching(/^POST \/hop/), 'GET /final']);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://169.254.170.2/v2/credentials/x',
    'http://2852039166/',
  ])('refuses a redirect to %s in every stage', async (to) => {
    const url = `http://127.0.0.1:${port}/307?to=${encodeURIComponent(to)}`;
    expect(
      await refusal(outboundRequest(url, { ...base, method: 'POST', body: '{}' }, { allowPrivate: true })),
    ).toBe('forbidden_address');
  });

  it('refuses loopback outside local, by literal and after DNS', async () => {
    const literal = outboundRequest(
      `http://127.0.0.1:${port}/x`,
      { ...base, method: 'GET' },
      { allowPrivate: false },
    );
    expect(await refusal(literal)).toBe('private_address');
    const before = seen.length;
    const byName = outboundRequest(
      `http://tools.example.test:${port}/x`,
      { ...base, method: 'GET', resolve: async () => [{ address: '127.0.0.1', family: 4 }] },
      { allowPrivate: false },
    );
    expect(await refusal(byName)).toBe('private_address');
    expect(seen.length).toBe(before);
  });

  it('connects to exactly the addresses it checked (no second resolution to rebind)', async () => {
    let lookups = 0;
    const response = await outboundRequest(
      `http://rebinding.example.test:${port}/pinned`,
      {
        ...base,
        method: 'GET',
        // A rebinding resolver: an allowed address first, metadata afterwards. Only the first is used.
        resolve: async () => {
          lookups++;
          return lookups === 1
            ? [{ address: '127.0.0.1', family: 4 }]
            : [{ address: '169.254.169.254', family: 4 }];
        },
      },
      { allowPrivate: true },
    );
    expect(response.body).toBe('answer from /pinned');
    expect(lookups).toBe(1);
  });

  it('returns the 3xx itself when redirects are not followed (webhooks)', async () => {
    const response = await outboundRequest(
      `http://127.0.0.1:${port}/hop?to=${encodeURIComponent('http://169.254.169.254/')}`,
      { ...base, method: 'POST', body: '{}', maxRedirects: 0 },
      { allowPrivate: true },
    );
    expect(response.status).toBe(302);
  });
});
