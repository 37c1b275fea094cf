import type { IncomingMessage } from 'node:http';
import { formatTraceHeader, newTraceId, parseTraceHeader } from '#shared/observability/trace-header.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RouteDefinition } from '#shared/http/route-types.ts';

/** Content types API Gateway passes as text; everything else arrives base64-encoded. */
const TEXT_TYPES = /^(application\/(json|.+\+json|xml)|text\/)/i;

/** A path segment that is not valid percent-encoded UTF-8 (API Gateway answers 400). */
export class MalformedPathError extends Error {
  constructor(segment: string, options?: { cause?: unknown }) {
    super(`The path segment "${segment.slice(0, 64)}" is not valid percent-encoding.`, options);
    this.name = 'MalformedPathError';
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new MalformedPathError(segment, { cause: error });
  }
}

export interface MatchedRoute {
  route: RouteDefinition;
  pathParameters: Record<string, string>;
}

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  names: string[];
}

export function compileRoutes(routes: readonly RouteDefinition[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(param[1] as string);
        return '([^/]+)';
      })
      .join('/');
    return { route, pattern: new RegExp(`^${source}$`), names };
  });
}

/** The route for `method` and `path`; throws MalformedPathError for a path it cannot decode. */
export function matchRoute(
  compiled: CompiledRoute[],
  method: string,
  path: string,
): MatchedRoute | undefined {
  for (const entry of compiled) {
    if (entry.route.method !== method) continue;
    const match = entry.pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    entry.names.forEach((name, i) => {
      pathParameters[name] = decodeSegment(match[i + 1] as string);
    });
    return { route: entry.route, pathParameters };
  }
  return undefined;
}

/** Builds an HTTP API payload v2.0 event from a Node request, as API Gateway does. */
export function toHttpApiEvent(
  req: IncomingMessage,
  body: Buffer,
  matched: MatchedRoute | undefined,
  requestId: string,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  // API Gateway starts (or continues) a trace per request and hands it to the Lambda like this.
  if (!parseTraceHeader(headers['x-amzn-trace-id'])) {
    headers['x-amzn-trace-id'] = formatTraceHeader({ root: newTraceId(), sampled: true });
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const routeKey = matched ? `${matched.route.method} ${matched.route.path}` : '$default';
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: headers.cookie ? headers.cookie.split(/;\s*/) : undefined,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters:
      matched && Object.keys(matched.pathParameters).length ? matched.pathParameters : undefined,
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] as string,
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}
