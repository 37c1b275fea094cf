import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The local object storage as a browser sees S3 with a CORS rule: the console PUTs CSV imports
 * straight to presigned URLs from another origin, and the S3 emulator answers no preflight. This
 * proxy answers `OPTIONS` itself and adds `Access-Control-Allow-Origin` to every answer; the
 * rest (signatures, bodies, status) passes through untouched. Deployed buckets have the same
 * rule (infra/lib/stateful-stack.ts), so local and AWS behave alike.
 */
export interface StorageCorsProxy {
  endpoint: string;
  stop(): Promise<void>;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, PUT, HEAD',
  'access-control-allow-headers': 'content-type, content-length',
  'access-control-expose-headers': 'etag',
  'access-control-max-age': '600',
};

export async function startStorageCorsProxy(target: string): Promise<StorageCorsProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS).end();
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...CORS_HEADERS });
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502, CORS_HEADERS);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
