import type { TransferOutcome } from '#shared/calls/call-types.ts';
import type { ConsultEnd } from './warm-transfer-line.ts';

/** The key that connects the caller at once, and the key that declines. */
export const ACCEPT_KEY = '1';
export const DECLINE_KEY = '2';

/** Where a consult stands, as the coordinator sees it. */
export type ConsultPhase = 'ringing' | 'briefing' | 'deciding';

/** What moves a consult forward: a key, the decision window ending, or the leg ending. */
export type ConsultInput =
  | { kind: 'digit'; digit: string }
  | { kind: 'window_elapsed' }
  | { kind: 'leg_ended'; why: ConsultEnd };

/** `connect` hands the caller over; `give_up` brings the caller back to the agent with `outcome`. */
export type ConsultStep =
  | { action: 'connect' }
  | { action: 'give_up'; outcome: Exclude<TransferOutcome, 'answered' | 'canceled'> }
  | { action: 'wait' };

/**
 * The person's decision (pure): 1 connects at once, 2 declines, silence after the briefing
 * accepts (they stayed on the line), hanging up after answering declines. Keys pressed while
 * still ringing mean nothing; other keys are ignored.
 */
export function consultStep(phase: ConsultPhase, input: ConsultInput): ConsultStep {
  if (input.kind === 'leg_ended') {
    if (phase !== 'ringing') return { action: 'give_up', outcome: 'declined' };
    return { action: 'give_up', outcome: input.why === 'hung_up' ? 'failed' : input.why };
  }
  if (phase === 'ringing') return { action: 'wait' };
  if (input.kind === 'window_elapsed')
    return phase === 'deciding' ? { action: 'connect' } : { action: 'wait' };
  if (input.digit === ACCEPT_KEY) return { action: 'connect' };
  if (input.digit === DECLINE_KEY) return { action: 'give_up', outcome: 'declined' };
  return { action: 'wait' };
}
