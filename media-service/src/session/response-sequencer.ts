import type { ClientEvent } from '../realtime/realtime-events.ts';

/**
 * Only one response may write to the conversation at a time; a `response.create` sent while one
 * is active fails with `conversation_already_has_active_response`. This keeps the active
 * response id and holds one requested response until the active one is done.
 */
export class ResponseSequencer {
  private readonly send: (event: ClientEvent) => void;
  private activeId: string | undefined;
  /** `null`: nothing held; `undefined`: a plain `response.create` is held. */
  private held: Record<string, unknown> | undefined | null = null;

  constructor(send: (event: ClientEvent) => void) {
    this.send = send;
  }

  get active(): string | undefined {
    return this.activeId;
  }

  created(responseId: string): void {
    this.activeId = responseId;
  }

  /** The response finished; a held request goes out now. */
  done(responseId: string): void {
    if (this.activeId === responseId) this.activeId = undefined;
    if (this.held !== null && !this.activeId) {
      const response = this.held;
      this.held = null;
      this.request(response);
    }
  }

  /** Sends `response.create` now, or once the active response is done. Returns whether sent now. */
  request(response?: Record<string, unknown>): boolean {
    if (this.activeId) {
      this.held = response;
      return false;
    }
    this.send(response ? { type: 'response.create', response } : { type: 'response.create' });
    return true;
  }

  /** Cancels the active response (if any) and forgets anything held; returns the cancelled id. */
  cancel(): string | undefined {
    const id = this.activeId;
    this.held = null;
    if (id) this.send({ type: 'response.cancel' });
    this.activeId = undefined;
    return id;
  }

  /** The model socket was replaced: nothing is active on the new one. */
  reset(): void {
    this.activeId = undefined;
    this.held = null;
  }
}
