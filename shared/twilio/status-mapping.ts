import type { CallStatus } from '../calls/call-status.ts';
import type { EndReason } from '../calls/call-types.ts';

/**
 * Twilio call-progress callbacks → the platform's call status. Pure, so the mapping table is
 * tested on its own; the webhook applies the result with `transitionCall`.
 */

/** Twilio's `CallStatus` values and what each becomes; `null` = nothing to apply. */
const STATUS_MAP: Readonly<Record<string, CallStatus | null>> = {
  // `initiated` reports that dialing began: the call is still queued as far as we are concerned.
  queued: null,
  initiated: null,
  ringing: 'ringing',
  'in-progress': 'in_progress',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
};

/**
 * Why the call ended, from Twilio's terminal status. Twilio does not say who hung up; when the
 * agent or the API ends a call the media service records that reason first, so a `completed`
 * that arrives with the call still live means the remote party hung up.
 */
const END_REASON: Readonly<Partial<Record<CallStatus, EndReason>>> = {
  completed: 'caller_hangup',
  busy: 'busy',
  no_answer: 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
};

export function callStatusFromTwilio(twilioStatus: string): CallStatus | null | undefined {
  return Object.hasOwn(STATUS_MAP, twilioStatus) ? STATUS_MAP[twilioStatus] : undefined;
}

export interface TwilioStatusUpdate {
  callSid: string;
  twilioStatus: string;
  status: CallStatus;
  /** `SequenceNumber`: orders callbacks of one call (0-based). */
  sequence?: number;
  /** When Twilio says the event happened (`Timestamp`), else when it was received. */
  at: Date;
  durationSeconds?: number;
  endReason?: EndReason;
}

export type ParsedStatusCallback =
  | { kind: 'update'; update: TwilioStatusUpdate }
  | { kind: 'ignored'; reason: 'no_status_change' | 'unknown_status'; callSid: string; twilioStatus: string }
  | { kind: 'invalid'; reason: string };

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const NON_NEGATIVE_INT = /^\d{1,9}$/;

/** Reads a status callback's form parameters. Never throws. */
export function parseStatusCallback(
  params: URLSearchParams,
  receivedAt: Date = new Date(),
): ParsedStatusCallback {
  const callSid = params.get('CallSid') ?? '';
  if (!CALL_SID.test(callSid)) return { kind: 'invalid', reason: 'CallSid is missing or malformed.' };
  const twilioStatus = params.get('CallStatus') ?? '';
  const status = callStatusFromTwilio(twilioStatus);
  if (status === undefined) return { kind: 'ignored', reason: 'unknown_status', callSid, twilioStatus };
  if (status === null) return { kind: 'ignored', reason: 'no_status_change', callSid, twilioStatus };

  const sequenceText = params.get('SequenceNumber');
  if (sequenceText !== null && !NON_NEGATIVE_INT.test(sequenceText)) {
    return { kind: 'invalid', reason: 'SequenceNumber is not a non-negative integer.' };
  }
  const durationText = params.get('CallDuration');
  const timestamp = Date.parse(params.get('Timestamp') ?? '');
  return {
    kind: 'update',
    update: {
      callSid,
      twilioStatus,
      status,
      sequence: sequenceText === null ? undefined : Number(sequenceText),
      at: Number.isNaN(timestamp) ? receivedAt : new Date(timestamp),
      durationSeconds:
        durationText !== null && NON_NEGATIVE_INT.test(durationText) ? Number(durationText) : undefined,
      endReason: END_REASON[status],
    },
  };
}
