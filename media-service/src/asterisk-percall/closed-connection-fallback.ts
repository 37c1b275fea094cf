import { ConnectionClosedError } from './percall-connection.ts';
import type { AriExchange } from './request-rest.ts';

/**
 * A per-call connection's exchange that continues over ARI HTTP once the connection has closed.
 * Asterisk closes a caller's connection as soon as the channel leaves Stasis, often while the call's
 * owner is still releasing its bridge and media channel; those releases must still reach Asterisk.
 * A request that never went out is repeated over HTTP; one that was in flight is repeated only when
 * repeating is harmless (reads and deletes: a second delete answers 404, which releases tolerate).
 * A create that may have happened is left to its caller, as before.
 */
export function closedConnectionFallback(connection: AriExchange, http: AriExchange): AriExchange {
  return async (method, uri, body) => {
    try {
      return await connection(method, uri, body);
    } catch (error) {
      if (!(error instanceof ConnectionClosedError) || !mayRepeat(method, error.sent)) throw error;
      return http(method, uri, body);
    }
  };
}

/** Whether a request the closed connection could not answer may be sent again over HTTP. */
export function mayRepeat(method: 'GET' | 'POST' | 'DELETE', sent: boolean): boolean {
  return !sent || method !== 'POST';
}
