/** Call lifecycle: queued → ringing → in_progress → one terminal status. */
export const CALL_STATUSES = [
  'queued',
  'ringing',
  'in_progress',
  'completed',
  'failed',
  'busy',
  'no_answer',
  'canceled',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const TERMINAL_STATUSES: readonly CallStatus[] = [
  'completed',
  'failed',
  'busy',
  'no_answer',
  'canceled',
];
export const ACTIVE_STATUSES: readonly CallStatus[] = ['queued', 'ringing', 'in_progress'];

export const isTerminal = (status: CallStatus): boolean => TERMINAL_STATUSES.includes(status);

/** Which statuses each status may move to. Terminal statuses never move again. */
const NEXT: Readonly<Record<CallStatus, readonly CallStatus[]>> = {
  queued: ['ringing', 'in_progress', 'completed', 'failed', 'busy', 'no_answer', 'canceled'],
  ringing: ['in_progress', 'completed', 'failed', 'busy', 'no_answer', 'canceled'],
  in_progress: ['completed', 'failed'],
  completed: [],
  failed: [],
  busy: [],
  no_answer: [],
  canceled: [],
};

export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return NEXT[from].includes(to);
}

/** The statuses from which `to` may be reached: the condition of a status update. */
export function allowedPredecessors(to: CallStatus): CallStatus[] {
  return CALL_STATUSES.filter((from) => canTransition(from, to));
}
