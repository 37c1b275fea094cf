/**
 * Answering-machine detection verdicts, as providers report them, reduced to what the call does
 * next. Pure, so the mapping tables are tested on their own.
 */

/** Who picked up, as far as the platform acts on it. */
export const ANSWERED_BY = ['human', 'machine', 'fax', 'unknown'] as const;
export type AnsweredBy = (typeof ANSWERED_BY)[number];

/** What the session does with a verdict. */
export type VerdictAction =
  /** Greet and talk: a person, or detection could not tell (a person hearing silence hangs up). */
  | 'converse'
  /** An answering machine: leave the agent's voicemail message or hang up, per its setting. */
  | 'voicemail'
  /** A fax tone: nothing to say to it; hang up. */
  | 'hang_up';

/** One verdict as the platform records it on the call. */
export interface MachineVerdict {
  answeredBy: AnsweredBy;
  /** The provider's own value (`machine_end_beep`, `MACHINE/LONGGREETING`…), for operators. */
  providerVerdict: string;
  /** How long the provider listened before deciding, when it says. */
  detectionMs?: number;
}

/**
 * Twilio's `AnsweredBy` values. With `MachineDetection=DetectMessageEnd` a machine is reported
 * once its greeting ended (`machine_end_*`); `machine_start` only comes with `Enable`, and is
 * still a machine. `unknown` (Twilio could not decide before its timeout) is treated as a person:
 * a person greeted late is a small cost, a person left in silence or hung up on is a lost call.
 */
const TWILIO_ANSWERED_BY: Readonly<Record<string, AnsweredBy>> = {
  human: 'human',
  machine_start: 'machine',
  machine_end_beep: 'machine',
  machine_end_silence: 'machine',
  machine_end_other: 'machine',
  fax: 'fax',
  unknown: 'unknown',
};

/** Reads a Twilio `AnsweredBy` value; anything it does not know is `unknown`. */
export function answeredByFromTwilio(value: string): AnsweredBy {
  return Object.hasOwn(TWILIO_ANSWERED_BY, value) ? (TWILIO_ANSWERED_BY[value] as AnsweredBy) : 'unknown';
}

/**
 * Asterisk's `AMD()` sets `AMDSTATUS` to MACHINE, HUMAN, NOTSURE or HANGUP (and `AMDCAUSE`, e.g.
 * `LONGGREETING-2100-1500`). NOTSURE is treated as a person, like Twilio's `unknown`; HANGUP
 * means the callee left during detection, which the channel's own hang-up reports.
 */
export function answeredByFromAsterisk(status: string): AnsweredBy {
  switch (status.trim().toUpperCase()) {
    case 'HUMAN':
      return 'human';
    case 'MACHINE':
      return 'machine';
    default:
      return 'unknown';
  }
}

export function actionFor(answeredBy: AnsweredBy): VerdictAction {
  switch (answeredBy) {
    case 'machine':
      return 'voicemail';
    case 'fax':
      return 'hang_up';
    default:
      return 'converse';
  }
}

/**
 * Twilio's detection timeout we ask for (`MachineDetectionTimeout`, seconds): after it Twilio
 * reports `unknown`. Its documented default; sent explicitly so the media service's wait below
 * is derived from the same number.
 */
export const TWILIO_AMD_TIMEOUT_SECONDS = 30;

/**
 * How long a session holds its greeting for a verdict before talking anyway: Twilio's timeout
 * plus the callback's trip through the webhook and the command queue. Only reached when the
 * verdict is lost; a person is usually decided within a few seconds.
 */
export const VERDICT_WAIT_MS = (TWILIO_AMD_TIMEOUT_SECONDS + 5) * 1000;
