import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { RouteDefinition } from '#shared/http/route-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { type ConsoleStaticOptions, serveConsole } from './console-static.ts';
import {
  compileRoutes,
  MalformedPathError,
  type MatchedRoute,
  matchRoute,
  toHttpApiEvent,
} from './http-event.ts';
import { lambdaContext, loadHandler } from './lambda-context.ts';

/** API Gateway's own limit on request bodies is 10 MB; the handlers enforce the API's 64 KB. */
const MAX_GATEWAY_BODY = 10 * 1024 * 1024;

interface LambdaResult {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
}

function sendJson(res: import('node:http').ServerResponse, status: number, body: unknown, requestId: string) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': requestId });
  res.end(JSON.stringify(body));
}

/**
 * A local HTTP API: one route table, v2.0 events, and the very handler modules deployed to
 * Lambda, each imported once and invoked per request.
 */
export function createGateway(options: {
  routes: readonly RouteDefinition[];
  rootDir: string;
  logger: Logger;
  /** Serve the built web console (and its deep links) beside the API, as CloudFront does. */
  console?: ConsoleStaticOptions;
}): Server {
  const compiled = compileRoutes(options.routes);
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_GATEWAY_BODY) {
        aborted = true;
        sendJson(res, 413, { message: 'Request Entity Too Large' }, randomUUID());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', async () => {
      if (aborted) return;
      const requestId = randomUUID();
      const method = req.method ?? 'GET';
      let matched: MatchedRoute | undefined;
      let path: string;
      try {
        path = new URL(req.url ?? '/', 'http://local').pathname;
        matched = matchRoute(compiled, method, path);
      } catch (error) {
        // One bad request line must never stop the gateway: it is the client's 400.
        const message =
          error instanceof MalformedPathError ? error.message : 'The request path is not valid.';
        sendJson(res, 400, { error: { code: 'validation_error', message, requestId } }, requestId);
        return;
      }
      // API Gateway answers CORS preflight for any path; route it to the path's first handler.
      if (!matched && method === 'OPTIONS') {
        const any = compiled.find((entry) => entry.pattern.test(path));
        if (any) matched = { route: any.route, pathParameters: {} };
      }
      if (!matched && options.console && serveConsole(req, res, path, options.console)) return;
      if (!matched) {
        sendJson(res, 404, { error: { code: 'not_found', message: 'No such route.', requestId } }, requestId);
        return;
      }
      try {
        const event = toHttpApiEvent(req, Buffer.concat(chunks), matched, requestId);
        const handler = await loadHandler(options.rootDir, matched.route.handler);
        const result = (await handler(event, lambdaContext(matched.route.handler))) as
          | LambdaResult
          | string
          | undefined;
        if (typeof result !== 'object' || result === null || result.statusCode === undefined) {
          // HTTP API v2: a bare value becomes a 200 JSON response.
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(typeof result === 'string' ? result : JSON.stringify(result ?? null));
          return;
        }
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
        if (result.cookies?.length) headers['set-cookie'] = result.cookies;
        res.writeHead(result.statusCode, headers);
        res.end(
          result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined,
        );
      } catch (error) {
        // What API Gateway does when the integration fails: a 500 with no detail.
        options.logger.error('handler crashed', { handler: matched.route.handler, err: error });
        if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' }, requestId);
        else res.destroy();
      }
    });
  });
}
