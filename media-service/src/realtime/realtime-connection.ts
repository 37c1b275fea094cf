import type { ClientEvent } from './realtime-events.ts';
import WebSocket from 'ws';
import { FATAL_ERROR_CODES, type KnownServerEvent, parseServerEvent } from './realtime-events.ts';

/** Why a model connection could not be opened; `fatal` means retrying cannot help. */
export class ModelConnectError extends Error {
  readonly fatal: boolean;
  readonly reason: string;
  constructor(reason: string, fatal: boolean, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelConnectError';
    this.reason = reason;
    this.fatal = fatal;
  }
}

export interface RealtimeListeners {
  event(event: KnownServerEvent): void;
  /** A frame that could not be understood (logged by the session with its callId). */
  malformed(problem: string, type?: string): void;
  closed(code: number, reason: string): void;
}

export interface ModelConnectOptions {
  /** `wss://…/v1/realtime` (or `ws://` for local fakes); `?model=` is added. */
  url: string;
  model: string;
  apiKey: string;
  /** Give up when `session.created` has not arrived in time. */
  timeoutMs?: number;
}

/**
 * One WebSocket to the realtime API, open and past `session.created`. Listeners are attached
 * by whoever owns it (the pool while idle, then one call session), replacing the previous ones.
 */
export interface RealtimeConnection {
  readonly openedAtMs: number;
  readonly isOpen: boolean;
  attach(listeners: RealtimeListeners): void;
  /** Sends a client event (JSON). Dropped silently once closed. */
  send(event: ClientEvent): void;
  /** `input_audio_buffer.append` with base64 audio, built without an intermediate object. */
  appendAudio(base64: string): void;
  close(code?: number, reason?: string): void;
}

const noop = () => undefined;
const silent: RealtimeListeners = { event: noop, malformed: noop, closed: noop };

function modelUrl(url: string, model: string): string {
  const target = new URL(url);
  if (target.protocol === 'https:') target.protocol = 'wss:';
  if (target.protocol === 'http:') target.protocol = 'ws:';
  target.searchParams.set('model', model);
  return target.toString();
}

/**
 * Opens a GA realtime socket: `Authorization: Bearer`, no beta header. Resolves once
 * `session.created` arrives. An HTTP 401/403 on the upgrade, or an `error` event with a fatal
 * code before the session exists, rejects with a fatal ModelConnectError.
 */
export function connectRealtime(options: ModelConnectOptions): Promise<RealtimeConnection> {
  const socket = new WebSocket(modelUrl(options.url, options.model), {
    headers: { Authorization: `Bearer ${options.apiKey}` },
    handshakeTimeout: options.timeoutMs ?? 10_000,
    perMessageDeflate: false,
  });
  let listeners = silent;
  const openedAtMs = Date.now();
  const connection: RealtimeConnection = {
    openedAtMs,
    get isOpen() {
      return socket.readyState === WebSocket.OPEN;
    },
    attach(next) {
      listeners = next;
    },
    send(event) {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(event));
    },
    appendAudio(base64) {
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(`{"type":"input_audio_buffer.append","audio":"${base64}"}`);
      }
    },
    close(code = 1000, reason = 'call_ended') {
      if (socket.readyState === WebSocket.CLOSED) return;
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(code, reason);
    },
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: ModelConnectError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('message');
      socket.terminate();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new ModelConnectError('timeout', false, 'The realtime session did not start in time.')),
      options.timeoutMs ?? 10_000,
    );
    socket.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      const fatal = status === 401 || status === 403 || status === 404;
      fail(new ModelConnectError(`http_${status}`, fatal, `The realtime endpoint answered HTTP ${status}.`));
    });
    socket.on('error', (error) => {
      if (!settled)
        fail(
          new ModelConnectError('network', false, 'The realtime endpoint is unreachable.', { cause: error }),
        );
    });
    socket.on('close', (code, reason) => {
      if (!settled) {
        fail(
          new ModelConnectError(
            `closed_${code}`,
            false,
            'The realtime socket closed before the session started.',
          ),
        );
        return;
      }
      const current = listeners;
      listeners = silent;
      current.closed(code, reason.toString('utf8'));
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        listeners.malformed('binary frame');
        return;
      }
      const parsed = parseServerEvent(data.toString());
      if (!settled) {
        if (parsed.kind === 'event' && parsed.event.type === 'session.created') {
          settled = true;
          clearTimeout(timer);
          resolve(connection);
        } else if (parsed.kind === 'event' && parsed.event.type === 'error') {
          const code = parsed.event.error.code ?? 'error';
          fail(new ModelConnectError(code, FATAL_ERROR_CODES.has(code), parsed.event.error.message ?? code));
        }
        return;
      }
      if (parsed.kind === 'event') listeners.event(parsed.event);
      else if (parsed.kind === 'malformed') listeners.malformed(parsed.problem, parsed.type);
    });
  });
}
