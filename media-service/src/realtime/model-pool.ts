import type { SecretStore } from '#shared/config/secrets.ts';
import type { Logger } from '#shared/logging/logger.ts';
import {
  connectRealtime,
  ModelConnectError,
  type ModelConnectOptions,
  type RealtimeConnection,
} from './realtime-connection.ts';

/** Where call sessions get model sockets from (the warm pool in production, the same in tests). */
export interface ModelConnector {
  /**
   * A connected socket past `session.created`, not yet configured: the session sends its own
   * `session.update`. Warm when one is ready (the greeting then starts at once), else fresh.
   * Rejects with ModelConnectError.
   */
  acquire(model?: string): Promise<RealtimeConnection>;
  snapshot(): { warm: number; target: number };
  /** Closes idle sockets and stops refilling. */
  close(): void;
}

export interface ModelPoolOptions {
  url: string;
  model: string;
  secrets: Pick<SecretStore, 'get'>;
  logger: Logger;
  /** Idle sockets kept open; 0 disables warming. */
  size: number;
  /**
   * Idle sockets are replaced after this long, so a call that takes one still gets nearly the
   * whole ~60-minute session limit before it must roll over.
   */
  maxIdleMs: number;
  connectTimeoutMs?: number;
  connect?: (options: ModelConnectOptions) => Promise<RealtimeConnection>;
}

interface Idle {
  connection: RealtimeConnection;
  timer: NodeJS.Timeout;
}

/**
 * Keeps `size` pre-connected realtime sockets so a call skips the TLS + WebSocket + session
 * handshake. Sockets are unconfigured (no tenant data) until a call takes one. Refill failures
 * back off (up to 30 s) and a fatal failure (bad key) pauses warming until the next acquire.
 */
export function createModelPool(options: ModelPoolOptions): ModelConnector {
  const connect = options.connect ?? connectRealtime;
  const idle: Idle[] = [];
  let connecting = 0;
  let closed = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  const open = async (model: string): Promise<RealtimeConnection> => {
    const apiKey = await options.secrets.get('OPENAI_API_KEY');
    if (!apiKey && options.url.startsWith('wss://api.openai.com')) {
      throw new ModelConnectError('missing_api_key', true, 'OPENAI_API_KEY is not set.');
    }
    return connect({
      url: options.url,
      model,
      apiKey: apiKey ?? 'local',
      timeoutMs: options.connectTimeoutMs,
    });
  };

  const remove = (entry: Idle) => {
    const index = idle.indexOf(entry);
    if (index >= 0) idle.splice(index, 1);
    clearTimeout(entry.timer);
  };

  const keep = (connection: RealtimeConnection) => {
    const entry: Idle = {
      connection,
      timer: setTimeout(() => {
        remove(entry);
        connection.close(1000, 'recycled');
        refill();
      }, options.maxIdleMs),
    };
    entry.timer.unref();
    connection.attach({
      event: () => undefined,
      malformed: () => undefined,
      closed: () => {
        remove(entry);
        refill();
      },
    });
    idle.push(entry);
  };

  const refill = () => {
    if (closed || retryTimer) return;
    while (idle.length + connecting < options.size) {
      connecting++;
      open(options.model).then(
        (connection) => {
          connecting--;
          failures = 0;
          if (closed) connection.close(1000, 'pool_closed');
          else keep(connection);
        },
        (error: unknown) => {
          connecting--;
          failures++;
          const fatal = error instanceof ModelConnectError && error.fatal;
          options.logger.warn('model pool could not pre-connect', { err: error, failures, fatal });
          if (fatal || closed) return;
          const delay = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
          retryTimer = setTimeout(() => {
            retryTimer = undefined;
            refill();
          }, delay);
          retryTimer.unref();
        },
      );
    }
  };

  refill();

  return {
    async acquire(model = options.model) {
      if (model === options.model) {
        while (idle.length > 0) {
          const entry = idle.shift() as Idle;
          clearTimeout(entry.timer);
          if (entry.connection.isOpen) {
            refill();
            return entry.connection;
          }
        }
      }
      const connection = await open(model);
      refill();
      return connection;
    },
    snapshot: () => ({ warm: idle.length, target: options.size }),
    close() {
      closed = true;
      clearTimeout(retryTimer);
      for (const entry of idle.splice(0)) {
        clearTimeout(entry.timer);
        entry.connection.close(1001, 'pool_closed');
      }
    },
  };
}
