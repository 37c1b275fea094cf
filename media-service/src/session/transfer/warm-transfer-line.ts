/**
 * What a transport does for a warm transfer (`transfer_call` with `mode: "warm"`), provider by
 * provider: Twilio (REST calls, a consult Media Stream, a conference) and Asterisk (a holding
 * bridge, an originated consult channel, bridges moved over ARI). The session's `WarmTransfer`
 * drives it; the transport only moves legs.
 *
 * While the caller is held, caller audio and key presses no longer reach the session; once the
 * consult leg answers, agent audio goes to the person and their key presses come back through
 * `ConsultEvents.digit`, never as the caller's.
 */
export interface WarmTransferLine {
  /** The caller hears hold audio instead of the agent. */
  hold(): Promise<void>;
  /** The caller is back with the agent (after a consult that did not connect). */
  resume(): Promise<void>;
  /** Dials the person; resolves once the provider accepted the dial (rejects when it refused). */
  dial(request: ConsultRequest, events: ConsultEvents): Promise<ConsultLeg>;
}

export interface ConsultRequest {
  /** The person's number (E.164). */
  to: string;
  /** The number the person sees: the number of this call on our side. */
  from: string;
  /** How long the provider rings before giving up (no answer). */
  ringSeconds: number;
}

/** Why a consult leg ended before caller and person were connected. */
export type ConsultEnd = 'no_answer' | 'busy' | 'failed' | 'hung_up';

export interface ConsultEvents {
  /** The person picked up; agent audio now reaches them. */
  answered(): void;
  /** A key the person pressed. */
  digit(digit: string): void;
  /** The consult leg is gone. */
  ended(why: ConsultEnd): void;
}

export interface ConsultLeg {
  /**
   * Connects caller and person and takes the agent out of the call. The caller leg then leaves
   * the transport as `transferred` (never hung up by the session's close).
   */
  connect(): Promise<void>;
  /** Hangs up the consult leg (cancels it while ringing). Idempotent; never throws. */
  hangUp(): Promise<void>;
}
