import WebSocket from 'ws';
import type { Logger } from '#shared/logging/logger.ts';
import type { AriEvent } from '../asterisk/ari-events.ts';
import type { AriRest } from '../asterisk/ari-rest.ts';
import { parsePerCallMessage, restRequestMessage } from './percall-messages.ts';
import { type AriExchange, createExchangeRest } from './request-rest.ts';

/** Asterisk answers REST over the socket in milliseconds; this long means the link is gone. */
const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
/** Pings keep a load balancer's idle timer from cutting a quiet call's control connection. */
const DEFAULT_PING_INTERVAL_MS = 25_000;

export interface PerCallConnectionOptions {
  logger: Logger;
  requestTimeoutMs?: number;
  pingIntervalMs?: number;
}

/**
 * A request the connection could not answer because it closed: `sent` says whether it had gone out
 * (Asterisk may have acted on it) or not (nothing happened).
 */
export class ConnectionClosedError extends Error {
  readonly sent: boolean;
  constructor(sent: boolean) {
    super('per-call connection closed');
    this.name = 'ConnectionClosedError';
    this.sent = sent;
  }
}

interface Pending {
  resolve(answer: { statusCode: number; body?: string }): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One per-call ARI WebSocket that Asterisk opened to this task: its registration, its events and
 * REST requests over it (`RESTRequest`/`RESTResponse` by transaction id). Listeners are added
 * once; a closed connection rejects every request in flight.
 */
export class PerCallConnection {
  readonly rest: AriRest;
  /** `ApplicationRegistered`: the app and the name of the channel this connection is about. */
  registration: { app: string; channelName: string } | undefined;
  /** When `ApplicationRegistered` arrived: for a re-connected call, about when its owner lost it. */
  registeredAtMs: number | undefined;
  readonly #socket: WebSocket;
  readonly #options: PerCallConnectionOptions;
  readonly #pending = new Map<string, Pending>();
  readonly #eventListeners: ((event: AriEvent) => void)[] = [];
  readonly #registeredListeners: (() => void)[] = [];
  readonly #closeListeners: ((code: number) => void)[] = [];
  readonly #ping: NodeJS.Timeout;
  #transactions = 0;
  #closed = false;
  #invalid = 0;

  constructor(socket: WebSocket, options: PerCallConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.rest = createExchangeRest(this.exchange);
    this.#ping = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) socket.ping();
    }, options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
    this.#ping.unref();
    socket.on('message', (data, isBinary) => this.#onMessage(isBinary ? undefined : data.toString()));
    socket.on('error', (error) => options.logger.warn('asterisk per-call socket error', { err: error }));
    socket.on('close', (code) => {
      this.#closed = true;
      clearInterval(this.#ping);
      for (const [id, pending] of this.#pending) {
        clearTimeout(pending.timer);
        pending.reject(new ConnectionClosedError(true));
        this.#pending.delete(id);
      }
      for (const listener of this.#closeListeners) listener(code);
    });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  onEvent(listener: (event: AriEvent) => void): void {
    this.#eventListeners.push(listener);
  }

  onRegistered(listener: () => void): void {
    if (this.registration) listener();
    else this.#registeredListeners.push(listener);
  }

  onClose(listener: (code: number) => void): void {
    this.#closeListeners.push(listener);
  }

  /** A REST request over this connection, answered by its `RESTResponse`. */
  readonly exchange: AriExchange = (method, uri, body) =>
    new Promise((resolve, reject) => {
      if (this.#closed || this.#socket.readyState !== WebSocket.OPEN) {
        reject(new ConnectionClosedError(false));
        return;
      }
      const id = `t${++this.#transactions}`;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new Error(
            `no RESTResponse within ${this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS} ms`,
          ),
        );
      }, this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      this.#socket.send(JSON.stringify(restRequestMessage(id, method, uri, body)));
    });

  /** Closes cleanly (1000 unless told otherwise); Asterisk may open a new one for a live channel. */
  close(code = 1000, reason = ''): void {
    if (this.#closed) return;
    this.#socket.close(code, reason);
  }

  /** Drops the connection without a closing handshake (tests of a dying task, shutdown). */
  terminate(): void {
    this.#socket.terminate();
  }

  #onMessage(text: string | undefined): void {
    const message = text === undefined ? undefined : parsePerCallMessage(text);
    if (!message) {
      this.#invalid++;
      if (this.#invalid === 1) this.#options.logger.warn('asterisk per-call message ignored: not valid ARI');
      return;
    }
    switch (message.kind) {
      case 'registered':
        if (this.registration) return;
        this.registration = { app: message.app, channelName: message.channelName };
        this.registeredAtMs = Date.now();
        for (const listener of this.#registeredListeners.splice(0)) listener();
        return;
      case 'response': {
        const pending = this.#pending.get(message.transactionId);
        if (!pending) return;
        this.#pending.delete(message.transactionId);
        clearTimeout(pending.timer);
        pending.resolve({ statusCode: message.statusCode, ...(message.body ? { body: message.body } : {}) });
        return;
      }
      case 'event':
        for (const listener of this.#eventListeners) {
          try {
            listener(message.event);
          } catch (error) {
            this.#options.logger.error('asterisk per-call event handler failed', { err: error });
          }
        }
        return;
    }
  }
}
