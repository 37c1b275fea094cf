import type { ClientEvent } from '../realtime/realtime-events.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { ModelConnector } from '../realtime/model-pool.ts';
import { ModelConnectError, type RealtimeConnection } from '../realtime/realtime-connection.ts';
import { FATAL_ERROR_CODES, type KnownServerEvent } from '../realtime/realtime-events.ts';
import { PendingAudio } from './pending-audio.ts';
import { isFatalClose, type ReconnectPolicy, reconnectDelayMs } from './reconnect-policy.ts';

export interface ModelLinkHandlers {
  event(event: KnownServerEvent): void;
  malformed(problem: string, type?: string): void;
  /** The socket dropped; the in-flight response is gone. Called before reconnecting. */
  interrupted(): void;
  /** A new socket is configured with the call's context; `gapMs` without a model. */
  restored(gapMs: number): void;
  /** The model cannot be reached (fatal error or retries used up): end the call. */
  lost(reason: string): void;
}

export interface ModelLinkOptions {
  connector: ModelConnector;
  model?: string;
  logger: Logger;
  policy: ReconnectPolicy;
  /** Client events that configure a fresh socket for this call (session.update, then history). */
  configure(): ClientEvent[];
  handlers: ModelLinkHandlers;
  /** Caller audio held while not connected (bytes). */
  maxPendingBytes: number;
  /** Roll over to a new socket after this age, at the next quiet moment. */
  maxSessionAgeMs: number;
  /** Whether now is a quiet moment (no response, nothing playing). */
  isQuiet(): boolean;
}

/**
 * The call's connection to the model: takes a socket from the pool, configures it, and keeps the
 * call alive across drops and the ~60-minute session limit by reconnecting with backoff and
 * replaying the instructions and conversation. Caller audio is held (bounded) while no socket
 * is ready and sent in order once one is.
 */
export class ModelLink {
  private readonly options: ModelLinkOptions;
  private connection: RealtimeConnection | undefined;
  private readonly pending: PendingAudio;
  private closed = false;
  private reconnecting = false;
  private fatalError: string | undefined;
  private rolloverTimer: NodeJS.Timeout | undefined;
  private rolloverDue = false;
  reconnects = 0;

  constructor(options: ModelLinkOptions) {
    this.options = options;
    this.pending = new PendingAudio(options.maxPendingBytes);
  }

  get ready(): boolean {
    return this.connection?.isOpen === true && !this.reconnecting;
  }

  /**
   * First connection, retried like a reconnect (the caller's audio is held meanwhile). Rejects
   * with ModelConnectError at once when fatal, or when the attempts are used up.
   */
  async start(): Promise<void> {
    const { policy, logger } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        const connection = await this.options.connector.acquire(this.options.model);
        if (this.closed) {
          connection.close(1000, 'call_ended');
          return;
        }
        this.use(connection);
        return;
      } catch (error) {
        const fatal = error instanceof ModelConnectError && error.fatal;
        if (fatal || attempt >= policy.maxAttempts || this.closed) throw error;
        logger.warn('model connect failed; retrying', { attempt, err: error });
        await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(attempt + 1, policy)));
      }
    }
  }

  send(event: ClientEvent): void {
    if (this.ready) this.connection?.send(event);
    else this.options.logger.debug('model event dropped while reconnecting', { type: event.type });
  }

  sendAudio(audio: Buffer | string): void {
    if (this.ready)
      this.connection?.appendAudio(typeof audio === 'string' ? audio : audio.toString('base64'));
    else this.pending.push(audio);
  }

  /** Checks whether a due rollover can happen now (call after each quiet moment begins). */
  quiet(): void {
    if (this.rolloverDue && !this.reconnecting && this.options.isQuiet()) void this.rollover();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.rolloverTimer);
    this.connection?.close(1000, 'call_ended');
    this.connection = undefined;
  }

  private use(connection: RealtimeConnection): void {
    this.connection = connection;
    this.fatalError = undefined;
    connection.attach({
      event: (event) => {
        if (event.type === 'error' && FATAL_ERROR_CODES.has(event.error.code ?? '')) {
          this.fatalError = event.error.code;
        }
        if (this.connection === connection) this.options.handlers.event(event);
      },
      malformed: (problem, type) => this.options.handlers.malformed(problem, type),
      closed: (code, reason) => {
        if (this.connection !== connection || this.closed) return;
        this.onDropped(code, reason);
      },
    });
    for (const event of this.options.configure()) connection.send(event);
    if (this.pending.dropped > 0) {
      this.options.logger.warn('caller audio beyond the hold limit was dropped', {
        chunks: this.pending.dropped,
      });
      this.pending.dropped = 0;
    }
    this.pending.drain((chunk) =>
      connection.appendAudio(typeof chunk === 'string' ? chunk : chunk.toString('base64')),
    );
    clearTimeout(this.rolloverTimer);
    this.rolloverDue = false;
    const age = Date.now() - connection.openedAtMs;
    this.rolloverTimer = setTimeout(
      () => {
        this.rolloverDue = true;
        this.quiet();
      },
      Math.max(0, this.options.maxSessionAgeMs - age),
    );
    this.rolloverTimer.unref();
  }

  private onDropped(code: number, reason: string): void {
    const { logger, handlers } = this.options;
    this.connection = undefined;
    if (this.fatalError || isFatalClose(code)) {
      logger.error('model session ended with a fatal error', { code, reason, modelError: this.fatalError });
      handlers.lost(this.fatalError ?? `close_${code}`);
      return;
    }
    logger.warn('model socket dropped; reconnecting', { code, reason });
    handlers.interrupted();
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    const { policy, logger, handlers } = this.options;
    this.reconnecting = true;
    const startedAt = Date.now();
    for (let attempt = 1; attempt <= policy.maxAttempts && !this.closed; attempt++) {
      const delay = reconnectDelayMs(attempt, policy);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.closed) return;
      try {
        const connection = await this.options.connector.acquire(this.options.model);
        if (this.closed) {
          connection.close(1000, 'call_ended');
          return;
        }
        this.reconnecting = false;
        this.reconnects++;
        this.use(connection);
        handlers.restored(Date.now() - startedAt);
        return;
      } catch (error) {
        const fatal = error instanceof ModelConnectError && error.fatal;
        logger.warn('model reconnect failed', { attempt, fatal, err: error });
        if (fatal) {
          this.reconnecting = false;
          handlers.lost(error instanceof ModelConnectError ? error.reason : 'model_unavailable');
          return;
        }
      }
    }
    this.reconnecting = false;
    if (!this.closed) handlers.lost('model_unavailable');
  }

  /** Swaps to a fresh socket ahead of the session limit, at a quiet moment, without a gap. */
  private async rollover(): Promise<void> {
    const old = this.connection;
    if (!old) return;
    this.rolloverDue = false;
    try {
      const fresh = await this.options.connector.acquire(this.options.model);
      if (this.closed || this.connection !== old) {
        fresh.close(1000, 'unused');
        return;
      }
      this.reconnects++;
      this.use(fresh);
      old.close(1000, 'rollover');
      this.options.logger.info('model session rolled over');
    } catch (error) {
      // The old socket still works; the limit itself is then handled as a drop.
      this.options.logger.warn('model rollover failed', { err: error });
    }
  }
}
