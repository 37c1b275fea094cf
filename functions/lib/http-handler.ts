import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { type Logger, createLogger } from '#shared/logging/logger.ts';
import type { RouteAuth } from '#shared/http/route-types.ts';
import type { Permission } from '#shared/people/permissions.ts';
import { type AccessRequirements, authenticate } from './authenticate.ts';
import { auditChange } from './audit-change.ts';
import { corsHeaders } from './cors.ts';
import { errorResponse } from './error-response.ts';
import type { HttpRequest, HttpResult, LambdaHttpResult } from './http-types.ts';
import { parseTraceHeader } from '#shared/observability/trace-header.ts';
import { currentTrace, runWithTrace } from '#shared/observability/trace-scope.ts';
import { parseRequest, requestIdOf } from './parse-request.ts';
import { annotate, tracer } from './tracer.ts';

export interface RouteContext {
  request: HttpRequest;
  logger: Logger;
}

export type RouteFunction = (ctx: RouteContext) => Promise<HttpResult>;

const baseLogger = createLogger({ context: { service: 'api' } });

function toLambdaResult(result: HttpResult, requestId: string): LambdaHttpResult {
  const headers: Record<string, string> = { 'x-request-id': requestId, ...result.headers };
  const cookies = result.cookies?.length ? { cookies: result.cookies } : {};
  if (result.body === undefined) return { statusCode: result.status, headers, ...cookies };
  if (result.raw) return { statusCode: result.status, headers, body: String(result.body), ...cookies };
  headers['content-type'] ??= 'application/json';
  return { statusCode: result.status, headers, body: JSON.stringify(result.body), ...cookies };
}

export interface HttpHandlerOptions extends Omit<AccessRequirements, 'permission'> {
  /** The route's auth and scope, as its operation declares them (a test compares the two). */
  auth: RouteAuth;
  scope?: Permission;
  /** Routes that take batches allow more than the API's 64 KB (API Gateway's cap is 10 MB). */
  maxBodyBytes?: number;
}

/**
 * Wraps a route function as a Lambda handler (middy): parses the v2 event (size limit, base64),
 * authenticates per the route's mode, and maps every error to the JSON error shape in one place.
 * CORS headers come from CORS_ORIGINS; preflight OPTIONS is answered here.
 */
export function httpHandler(route: RouteFunction, options: HttpHandlerOptions) {
  const handle = async (event: APIGatewayProxyEventV2): Promise<LambdaHttpResult> => {
    const request = parseRequest(event, options.maxBodyBytes);
    const logger = baseLogger.child({ requestId: request.requestId, route: event.routeKey });
    request.auth = await authenticate(dbFromEnv(), request, options.auth, {
      permission: options.scope,
      userOnly: options.userOnly,
      allowWithoutMfa: options.allowWithoutMfa,
    });
    // Call routes name the call `{id}` under /v1/calls/ (and webhooks name it in the body).
    const pathCallId = event.rawPath?.startsWith('/v1/calls/') ? event.pathParameters?.id : undefined;
    annotate({ tenantId: request.auth?.tenantId, callId: pathCallId });
    const result = await route({
      request,
      logger: request.auth?.tenantId ? logger.child({ tenantId: request.auth.tenantId }) : logger,
    });
    await auditChange(request, result, logger);
    return toLambdaResult(result, request.requestId);
  };
  // The invocation's trace (Lambda's, or the gateway's `X-Amzn-Trace-Id` locally) is the scope
  // of everything the request logs and publishes.
  const base = (event: APIGatewayProxyEventV2, _context: Context): Promise<LambdaHttpResult> =>
    runWithTrace(currentTrace() ?? parseTraceHeader(event.headers?.['x-amzn-trace-id']), () => handle(event));
  const wrapped = middy<APIGatewayProxyEventV2, LambdaHttpResult>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use({
      before: async (request) => {
        if (request.event.requestContext?.http?.method === 'OPTIONS') {
          // Returning here ends the chain before `after`, so the CORS headers go on this response.
          return {
            statusCode: 204,
            headers: {
              'x-request-id': requestIdOf(request.event),
              ...corsHeaders(request.event.headers?.origin, env().CORS_ORIGINS),
            },
          };
        }
        return undefined;
      },
      after: async (request) => {
        const cors = corsHeaders(request.event.headers?.origin, env().CORS_ORIGINS);
        if (request.response) request.response.headers = { ...request.response.headers, ...cors };
      },
      onError: async (request) => {
        const requestId = requestIdOf(request.event);
        const response = errorResponse(
          request.error,
          requestId,
          baseLogger.child({ requestId, route: request.event.routeKey }),
        );
        response.headers = {
          ...response.headers,
          ...corsHeaders(request.event.headers?.origin, env().CORS_ORIGINS),
        };
        request.response = response;
      },
    })
    .handler(base);
  // Exposed so `functions/api/route-declarations.test.ts` can hold them against the route table.
  return Object.assign(wrapped, { routeOptions: { auth: options.auth, scope: options.scope } });
}
