import type WebSocket from 'ws';
import type { TwilioStart } from './twilio-frames.ts';

/** What the consult leg's Media Stream reports, once it reached the task that placed it. */
export interface ConsultStreamHandler {
  /** The person answered and their stream is here: agent audio may go to `socket`. */
  attached(socket: WebSocket, start: TwilioStart): void;
  dtmf(digit: string): void;
  mark(name: string): void;
  /** The stream ended (the person hung up, or we moved the call). */
  closed(): void;
}

/**
 * Consult legs this media task dialed and waits for, by the single-use id (`jti`) of the stream
 * token in their TwiML. A consult stream that reaches a task that did not dial it finds nothing
 * here and is relayed to the task running the call (`fleet/stream-relay.ts`), which claims it here;
 * when no task runs the call it is closed, and the dialing task (if any) brings the caller back.
 */
export class ConsultDesk {
  readonly #waiting = new Map<string, ConsultStreamHandler>();

  expect(jti: string, handler: ConsultStreamHandler): void {
    this.#waiting.set(jti, handler);
  }

  forget(jti: string): void {
    this.#waiting.delete(jti);
  }

  /** The handler for a stream token id, once: a second stream with the same token finds nothing. */
  claim(jti: string): ConsultStreamHandler | undefined {
    const handler = this.#waiting.get(jti);
    this.#waiting.delete(jti);
    return handler;
  }
}
