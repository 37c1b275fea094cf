import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundTargetRefusedError } from './outbound-request.ts';
import { pinnedFetch } from './pinned-fetch.ts';

let server: Server;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(`${req.headers.host?.split(':')[0]} ${req.url}`);
    if (req.url === '/binary') {
      res.writeHead(200, { 'content-type': 'application/pdf', etag: '"v1"' });
      res.end(Buffer.from([0, 1, 2, 255]));
    } else if (req.url === '/moved') {
      res.writeHead(301, { location: '/binary' });
      res.end('moved');
    } else {
      res.writeHead(304, { etag: '"v1"' });
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const init = () => ({ headers: {}, redirect: 'manual' as const, signal: AbortSignal.timeout(5_000) });
/** A name that resolves to the loopback server (as a rebinding name would at connect time). */
const toLoopback = async () => [{ address: '127.0.0.1', family: 4 }];

describe('pinnedFetch', () => {
  it('refuses a name that resolves to a private address when connecting, without sending anything', async () => {
    received.length = 0;
    const fetchPinned = pinnedFetch({ allowPrivate: false }, toLoopback);
    await expect(fetchPinned(`http://rebind.example:${port}/binary`, init())).rejects.toMatchObject({
      constructor: OutboundTargetRefusedError,
      reason: 'private_address',
    });
    expect(received).toEqual([]);
  });

  it('connects to the checked address and returns the body as bytes with its headers', async () => {
    received.length = 0;
    const fetchPinned = pinnedFetch({ allowPrivate: true }, toLoopback);
    const response = await fetchPinned(`http://docs.example:${port}/binary`, init());
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"v1"');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(received).toEqual(['docs.example /binary']);
  });

  it.each([
    ['/moved', 301, '/binary'],
    ['/unchanged', 304, null],
  ])('returns %s as %i without following it', async (path, status, location) => {
    received.length = 0;
    const response = await pinnedFetch({ allowPrivate: true }, toLoopback)(
      `http://docs.example:${port}${path}`,
      init(),
    );
    expect(response.status).toBe(status);
    expect(response.headers.get('location')).toBe(location);
    expect(received).toEqual([`docs.example ${path}`]);
  });
});
