import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError, ValidationError } from '#shared/errors/app-error.ts';
import type { HttpRequest } from './http-types.ts';

export const MAX_BODY_BYTES = 64 * 1024;

/** Parses `rawQueryString` itself: API Gateway comma-joins repeated keys in queryStringParameters. */
function parseQuery(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw ?? '')) if (!(key in out)) out[key] = value;
  return out;
}

export function requestIdOf(event: APIGatewayProxyEventV2): string {
  const given = event.headers?.['x-request-id'];
  if (given && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
  return event.requestContext?.requestId || randomUUID();
}

/** Turns an HTTP API v2 event into an HttpRequest; the body is decoded but not yet parsed. */
export function parseRequest(event: APIGatewayProxyEventV2, maxBodyBytes = MAX_BODY_BYTES): HttpRequest {
  const rawBody = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (Buffer.byteLength(rawBody, 'utf8') > maxBodyBytes) {
    throw new PayloadTooLargeError(`Request bodies are limited to ${maxBodyBytes / 1024} KB.`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  return {
    event,
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? event.requestContext?.http?.path ?? '/',
    pathParams: Object.fromEntries(
      Object.entries(event.pathParameters ?? {}).filter(([, v]) => v !== undefined),
    ) as Record<string, string>,
    query: parseQuery(event.rawQueryString),
    headers,
    rawBody,
    requestId: requestIdOf(event),
  };
}

/** The JSON body; malformed JSON is a 400, an absent body is `{}`. */
export function jsonBody(request: HttpRequest): unknown {
  if (request.rawBody.trim() === '') return {};
  const type = request.headers['content-type'] ?? 'application/json';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ValidationError('Send the body as application/json.', {
      details: [{ path: 'content-type', message: type }],
    });
  }
  try {
    return JSON.parse(request.rawBody);
  } catch {
    throw new ValidationError('The request body is not valid JSON.');
  }
}
