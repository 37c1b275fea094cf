import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Env } from '#shared/config/env.ts';
import type { SecretStore } from '#shared/config/secrets.ts';
import type { Db } from '#shared/data/client.ts';
import type { CheckResult } from '#shared/health/checks.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { QueueUrls } from '#shared/queues/publisher.ts';
import { mediaHealth } from './health.ts';
import { MEDIA_HEALTH_PATH, MEDIA_LIVENESS_PATH } from '#shared/health/media-paths.ts';

/** Everything the media service needs, passed in (tests build it with local endpoints). */
export interface MediaDeps {
  env: Env;
  logger: Logger;
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  secrets: SecretStore;
}

export type HttpRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;
export type UpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void;

/** What transports plug into the server: HTTP routes, WebSocket upgrade routes, health checks. */
export interface MediaRoutes {
  http: Map<string, HttpRoute>;
  upgrade: Map<string, UpgradeRoute>;
  checks: Record<string, () => CheckResult | Promise<CheckResult>>;
}

export interface AdmissionState {
  liveCalls: number;
  maxCalls: number;
  draining: boolean;
}

export function createMediaHttpServer(
  deps: MediaDeps,
  routes: MediaRoutes,
  admission: () => AdmissionState,
  models?: () => { warm: number; target: number },
): Server {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://media.local');
    try {
      if (url.pathname === MEDIA_LIVENESS_PATH && req.method === 'GET') {
        // Answered without touching dependencies; draining shows in the body (ECS deregisters
        // a draining task on its own, and its live calls must not be failed over).
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: admission().draining ? 'draining' : 'ok', calls: admission() }));
        return;
      }
      if (url.pathname === MEDIA_HEALTH_PATH && req.method === 'GET') {
        const result = await mediaHealth({
          db: deps.db,
          sqs: deps.sqs,
          queueUrl: deps.queueUrls.mediaCommands,
          extraChecks: routes.checks,
          admission,
          models,
        });
        res.writeHead(result.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result.body));
        return;
      }
      const route = routes.http.get(url.pathname);
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'not_found', message: 'No such route.' } }));
        return;
      }
      await route(req, res, url);
    } catch (error) {
      deps.logger.error('media http route failed', { path: url.pathname, err: error });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'Something went wrong on our side.' } }));
    }
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://media.local');
    const route = routes.upgrade.get(url.pathname);
    socket.on('error', () => undefined);
    if (!route) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    route(req, socket, head, url);
  });
  return server;
}
