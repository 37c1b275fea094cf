import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { AppError } from '../errors/app-error.ts';
import {
  type OutboundPolicy,
  type OutboundRefusal,
  type Resolver,
  refusedUrl,
  resolveAllowed,
  systemResolver,
} from './outbound-target.ts';

/** The target (or a redirect's target) is not allowed by the outbound policy. */
export class OutboundTargetRefusedError extends AppError {
  readonly reason: OutboundRefusal;
  constructor(reason: OutboundRefusal) {
    super('validation_error', `The target address is not allowed (${reason}).`, { details: { reason } });
    this.name = 'OutboundTargetRefusedError';
    this.reason = reason;
  }
}

export interface OutboundRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Bounds the whole exchange, redirects included (rejects with a `TimeoutError`). */
  timeoutMs: number;
  /** Redirects followed (each re-checked); 0 returns the 3xx itself. */
  maxRedirects: number;
  /** Longest body read; the rest is dropped. */
  maxResponseBytes: number;
  resolve?: Resolver;
}

export interface OutboundResponse {
  status: number;
  body: string;
  /** Where the final answer came from (after redirects). */
  url: string;
}

/**
 * A DNS lookup that refuses the connection when any address of the name is refused, and hands
 * the socket exactly the addresses it checked: the check and the connection use one resolution,
 * so DNS rebinding cannot switch the target in between.
 */
export function guardedLookup(policy: OutboundPolicy, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(hostname, policy, resolve).then(
      ({ addresses, refused }) => {
        if (refused || addresses.length === 0) {
          callback(new OutboundTargetRefusedError(refused ?? 'invalid_url'), '', 0);
          return;
        }
        if ((options as { all?: boolean }).all) {
          (callback as unknown as (e: null, list: typeof addresses) => void)(null, addresses);
          return;
        }
        const first = addresses[0] as { address: string; family: number };
        callback(null, first.address, first.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}

function exchange(
  url: URL,
  request: OutboundRequest & { method: 'GET' | 'POST' },
  lookup: LookupFunction,
  signal: AbortSignal,
): Promise<{ response: IncomingMessage; body: () => Promise<string> }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: request.method, headers: request.headers, lookup, signal, agent: false },
      (response) => {
        const body = () =>
          new Promise<string>((done, fail) => {
            const chunks: Buffer[] = [];
            let size = 0;
            response.on('data', (chunk: Buffer) => {
              if (size >= request.maxResponseBytes) return;
              chunks.push(chunk);
              size += chunk.length;
              if (size >= request.maxResponseBytes) response.destroy();
            });
            response.on('error', (error) => (size >= request.maxResponseBytes ? undefined : fail(error)));
            const finish = () =>
              done(Buffer.concat(chunks).subarray(0, request.maxResponseBytes).toString('utf8'));
            response.on('end', finish);
            response.on('close', finish);
          });
        resolve({ response, body });
      },
    );
    req.on('error', (error) => reject(signal.aborted ? signal.reason : error));
    if (request.body !== undefined) req.end(request.body);
    else req.end();
  });
}

/**
 * Makes one request under the outbound policy: the URL is checked before each hop, the name's
 * addresses when the socket connects (and the connection pinned to them), and every redirect
 * again (followed by hand, at most `maxRedirects`). 303, and 301/302 after a POST, continue as
 * a GET without body, as browsers do; 307/308 repeat the request. Rejects with
 * OutboundTargetRefusedError for a refused target, a `TimeoutError` after `timeoutMs`, or the
 * network error.
 */
export async function outboundRequest(
  url: string,
  request: OutboundRequest,
  policy: OutboundPolicy,
): Promise<OutboundResponse> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  const lookup = guardedLookup(policy, request.resolve ?? systemResolver);
  let current = new URL(url);
  let hop = { ...request };
  for (let redirects = 0; ; redirects++) {
    const refused = refusedUrl(current, policy);
    if (refused) throw new OutboundTargetRefusedError(refused);
    const { response, body } = await exchange(current, hop, lookup, signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location && redirects < request.maxRedirects) {
      response.resume();
      current = new URL(location, current);
      if (status === 303 || ((status === 301 || status === 302) && hop.method === 'POST')) {
        const { 'content-type': _type, 'content-length': _length, ...headers } = hop.headers;
        hop = { ...hop, method: 'GET', body: undefined, headers };
      }
      continue;
    }
    return { status, body: await body(), url: current.href };
  }
}
