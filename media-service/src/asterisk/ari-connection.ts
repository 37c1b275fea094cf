import Ari from 'ari-client';
import WebSocket from 'ws';
import type { CheckResult } from '#shared/health/checks.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { type AriEvent, parseAriEvent } from './ari-events.ts';
import { type AriRest, createAriRest } from './ari-rest.ts';
import { type BreakerPolicy, CircuitBreaker } from './circuit-breaker.ts';

/**
 * The one ARI connection of a media service. REST goes through `ari-client` (it builds its API
 * from the server's own Swagger documents), wrapped in a circuit breaker and a time limit. The
 * events socket is our own: `ari-client`'s socket handler throws inside the `ws` message callback
 * on an event type its Swagger model does not declare (a newer Asterisk, a module we did not
 * expect) and on non-JSON text, which would crash the process, and it gives up after a fixed
 * number of retries. Ours parses defensively and reconnects with capped, jittered backoff for as
 * long as the service runs. Credentials go in a Basic auth header, not in the URL.
 */
export type AriConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface ReconnectPolicy {
  initialMs: number;
  maxMs: number;
}

export interface AriConnectionOptions {
  url: string;
  username: string;
  password: string;
  app: string;
  logger: Logger;
  onEvent(event: AriEvent): void;
  /** Every change of state; `connected` after a reconnect is when to reconcile live calls. */
  onStateChange?(state: AriConnectionState, previous: AriConnectionState): void;
  reconnect?: ReconnectPolicy;
  breaker?: BreakerPolicy;
  requestTimeoutMs?: number;
}

export interface AriConnection {
  readonly rest: AriRest;
  readonly state: AriConnectionState;
  /** Resolves once the events socket is first open (the Stasis app is registered). */
  readonly ready: Promise<void>;
  health(): CheckResult;
  stop(): Promise<void>;
}

const DEFAULT_RECONNECT: ReconnectPolicy = { initialMs: 250, maxMs: 10_000 };
const DEFAULT_BREAKER: BreakerPolicy = { failureThreshold: 5, openMs: 5_000 };

/**
 * swagger-client 2.0 (inside ari-client) prints through an implicit global `log`: plain arrays on
 * stdout between our JSON log lines, each also kept forever in `log.history`. Silence it.
 */
function silenceSwaggerLog(): void {
  const global = globalThis as { log?: unknown };
  if (typeof global.log === 'function') global.log = () => undefined;
}

export function connectAri(options: AriConnectionOptions): AriConnection {
  silenceSwaggerLog();
  const policy = options.reconnect ?? DEFAULT_RECONNECT;
  const logger = options.logger.child({ component: 'ari' });
  const breaker = new CircuitBreaker(options.breaker ?? DEFAULT_BREAKER);
  const base = options.url.replace(/\/+$/, '').replace(/\/ari$/, '');
  let client: Ari.Client | undefined;
  let socket: WebSocket | undefined;
  let state: AriConnectionState = 'connecting';
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let connectedSince: number | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const rest = createAriRest({
    client: () => client,
    breaker,
    timeoutMs: options.requestTimeoutMs ?? 5_000,
  });

  // A function, not an inline comparison: `state` changes across the awaits below.
  const stopped = () => state === 'stopped';
  const setState = (next: AriConnectionState) => {
    if (next === state) return;
    const previous = state;
    state = next;
    logger.info('ari state changed', { state: next, previous });
    options.onStateChange?.(next, previous);
  };

  const scheduleRetry = () => {
    if (state === 'stopped' || retryTimer) return;
    const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 16));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    attempt++;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void run();
    }, delay);
  };

  const openEvents = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const eventsUrl = `${base.replace(/^http/, 'ws')}/ari/events?app=${encodeURIComponent(options.app)}`;
      const auth = Buffer.from(`${options.username}:${options.password}`).toString('base64');
      const ws = new WebSocket(eventsUrl, {
        headers: { authorization: `Basic ${auth}` },
        handshakeTimeout: 5_000,
      });
      socket = ws;
      let opened = false;
      ws.on('open', () => {
        opened = true;
        resolve();
      });
      ws.on('message', (data) => {
        const event = parseAriEvent(data.toString());
        if (!event) {
          logger.warn('ari event ignored: not a valid event');
          return;
        }
        try {
          options.onEvent(event);
        } catch (error) {
          logger.error('ari event handler failed', { event: event.type, err: error });
        }
      });
      ws.on('error', (error) => {
        if (!opened) reject(error);
      });
      ws.on('close', (code) => {
        if (!opened) {
          reject(new Error(`events socket closed before opening (${code})`));
          return;
        }
        if (socket !== ws || state === 'stopped') return;
        socket = undefined;
        connectedSince = undefined;
        logger.warn('ari events socket closed', { code });
        setState('reconnecting');
        scheduleRetry();
      });
    });

  const run = async () => {
    if (state === 'stopped') return;
    try {
      client ??= await withTimeout(Ari.connect(base, options.username, options.password), 10_000);
      await openEvents();
      if (stopped()) {
        socket?.close();
        return;
      }
      attempt = 0;
      connectedSince = Date.now();
      breaker.reset();
      setState('connected');
      markReady();
    } catch (error) {
      if (stopped()) return;
      logger.warn('ari connect failed', {
        attempt,
        err: error instanceof Error ? error.message : String(error),
      });
      if (state === 'connected') setState('reconnecting');
      scheduleRetry();
    }
  };
  void run();

  return {
    rest,
    get state() {
      return state;
    },
    ready,
    health(): CheckResult {
      const up = state === 'connected' && breaker.snapshot.state !== 'open';
      return {
        status: up ? 'ok' : 'down',
        latencyMs: 0,
        ...(up ? {} : { error: state === 'connected' ? 'ari_rest_circuit_open' : `ari_${state}` }),
        ...(connectedSince ? { connectedForMs: Date.now() - connectedSince } : {}),
      } as CheckResult;
    },
    async stop() {
      setState('stopped');
      clearTimeout(retryTimer);
      const ws = socket;
      socket = undefined;
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        await new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close();
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 1_000).unref();
        });
      }
    },
  };
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
