import type { AddressInfo } from 'node:net';
import { type MediaDeps, type MediaRoutes, createMediaHttpServer } from './server.ts';

export interface MediaService {
  listen(port: number, host?: string): Promise<number>;
  /** Stop admitting calls, wait for live calls up to `graceMs`, then close everything. */
  drain(graceMs: number): Promise<void>;
  readonly routes: MediaRoutes;
}

/**
 * Wires the media service: the HTTP/WebSocket server, and the transports that register routes
 * on it. Call sessions are owned by the transports' session registry.
 */
export function createMediaService(deps: MediaDeps): MediaService {
  const routes: MediaRoutes = { http: new Map(), upgrade: new Map(), checks: {} };
  let draining = false;
  const server = createMediaHttpServer(deps, routes, () => ({
    liveCalls: 0,
    maxCalls: deps.env.MEDIA_MAX_CALLS,
    draining,
  }));
  return {
    routes,
    listen: (port, host = '0.0.0.0') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    async drain() {
      draining = true;
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
