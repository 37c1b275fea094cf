import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { guardedLookup } from './outbound-request.ts';
import { type OutboundPolicy, type Resolver, systemResolver } from './outbound-target.ts';

/** The part of `fetch` a crawler uses: GET with headers, manual redirects, an abort signal. */
export type PageFetch = (
  url: string,
  init: { headers: Record<string, string>; redirect: 'manual'; signal: AbortSignal },
) => Promise<Response>;

/** Statuses whose Response must have no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A `fetch` for untrusted URLs whose connection is pinned to the addresses the outbound policy
 * checked: the name is resolved once, every address is checked, and the socket connects to those
 * addresses only. A check before `fetch` followed by `fetch`'s own lookup would leave a DNS
 * rebinding window (a name that answers a public address to the check and a private one to the
 * connection). Redirects are returned, not followed: the caller checks and follows each hop.
 * A refused address rejects with OutboundTargetRefusedError.
 */
export function pinnedFetch(policy: OutboundPolicy, resolve: Resolver = systemResolver): PageFetch {
  const lookup = guardedLookup(policy, resolve);
  return (url, init) =>
    new Promise<Response>((done, fail) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        target,
        { method: 'GET', headers: init.headers, lookup, signal: init.signal, agent: false },
        (response) => {
          const status = response.statusCode ?? 0;
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value === undefined) continue;
            for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
          }
          const body = NULL_BODY_STATUSES.has(status)
            ? null
            : (Readable.toWeb(response) as unknown as ReadableStream<Uint8Array>);
          if (body === null) response.resume();
          done(new Response(body, { status, headers }));
        },
      );
      req.on('error', (error) => fail(init.signal.aborted ? init.signal.reason : error));
      req.end();
    });
}
