import { type AriEvent, parseAriEvent } from '../asterisk/ari-events.ts';

/**
 * The messages of an ARI per-call WebSocket (`websocket_client.conf` `connection_type =
 * per_call_config`, `ari.conf` `type = outbound_websocket`), as recorded on Asterisk 22.10.1:
 * Asterisk opens the connection, announces `ApplicationRegistered` with application
 * `<app>:<channel name>`, then sends the channel's events; REST goes the other way as
 * `RESTRequest` messages answered by `RESTResponse` (bodies are JSON text, not objects).
 * Parsing never throws: malformed text is `undefined`, other events pass to `parseAriEvent`.
 */
export type PerCallMessage =
  | { kind: 'registered'; application: string; app: string; channelName: string }
  | {
      kind: 'response';
      transactionId: string;
      statusCode: number;
      reasonPhrase: string;
      body?: string;
    }
  | { kind: 'event'; event: AriEvent };

export interface RestRequestMessage {
  type: 'RESTRequest';
  transaction_id: string;
  request_id: string;
  method: string;
  /** Relative to `/ari/`: `channels/<id>/answer`, with the query string. */
  uri: string;
  content_type?: string;
  message_body?: string;
}

/** `percall-app:Local/15550001111@ari-percall-00000004;2` → app and channel name (names hold `:` too). */
export function splitApplication(application: string): { app: string; channelName: string } {
  const colon = application.indexOf(':');
  if (colon < 0) return { app: application, channelName: '' };
  return { app: application.slice(0, colon), channelName: application.slice(colon + 1) };
}

export function parsePerCallMessage(text: string): PerCallMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const message = raw as Record<string, unknown>;
  if (message.type === 'ApplicationRegistered') {
    if (typeof message.application !== 'string') return undefined;
    return { kind: 'registered', application: message.application, ...splitApplication(message.application) };
  }
  if (message.type === 'RESTResponse') {
    if (typeof message.transaction_id !== 'string' || typeof message.status_code !== 'number')
      return undefined;
    return {
      kind: 'response',
      transactionId: message.transaction_id,
      statusCode: message.status_code,
      reasonPhrase: typeof message.reason_phrase === 'string' ? message.reason_phrase : '',
      ...(typeof message.message_body === 'string' ? { body: message.message_body } : {}),
    };
  }
  const event = parseAriEvent(text);
  return event ? { kind: 'event', event } : undefined;
}

export function restRequestMessage(
  transactionId: string,
  method: string,
  uri: string,
  body?: unknown,
): RestRequestMessage {
  return {
    type: 'RESTRequest',
    transaction_id: transactionId,
    request_id: transactionId,
    method,
    uri: uri.replace(/^\/+/, '').replace(/^ari\//, ''),
    ...(body === undefined ? {} : { content_type: 'application/json', message_body: JSON.stringify(body) }),
  };
}
