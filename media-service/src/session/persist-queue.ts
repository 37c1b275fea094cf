import type { Logger } from '#shared/logging/logger.ts';

/**
 * Serial, retrying writes for one call (turns, usage, telemetry), so they land in order, a
 * slow write never blocks the audio path, and `flush()` at close waits until all are durable.
 */
export class PersistQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly logger: Logger;
  private readonly attempts: number;
  private readonly baseDelayMs: number;

  constructor(logger: Logger, options: { attempts?: number; baseDelayMs?: number } = {}) {
    this.logger = logger;
    this.attempts = options.attempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 100;
  }

  /** Queues `work`; it is retried with backoff, then logged as lost with `label`. */
  run(label: string, work: () => Promise<unknown>): void {
    this.tail = this.tail.then(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await work();
          return;
        } catch (error) {
          if (attempt >= this.attempts) {
            this.logger.error('call data could not be stored', { what: label, err: error });
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, this.baseDelayMs * 2 ** (attempt - 1)));
        }
      }
    });
  }

  /** Resolves once everything queued so far has been written (or given up on). */
  flush(): Promise<void> {
    return this.tail;
  }
}
