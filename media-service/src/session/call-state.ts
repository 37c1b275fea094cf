/**
 * The call session's states, in the order a call usually moves through them. The session keys
 * its control flow off this state alone (use `isEnding` / `isClosing`, not flags of its own).
 */
export type CallState =
  /** The caller leg is attached; the model socket is being connected and the call marked started. */
  | 'connecting'
  /**
   * Outbound with answering-machine detection: the model is ready but the greeting waits for the
   * verdict (a person, or the wait ran out); the caller's audio does not reach the model.
   */
  | 'screening'
  /** The greeting was requested; the agent speaks first. */
  | 'greeting'
  /** Waiting for the caller (or the caller is speaking). */
  | 'listening'
  /** The agent is speaking. */
  | 'responding'
  /** The model asked for tools; they run, then a new response is requested. */
  | 'tool_call'
  /** The call is ending politely: closing line, then hang-up or transfer at the provider. */
  | 'ending'
  /** Releasing everything and storing the call's end. */
  | 'closing'
  /** Closed: every resource released, everything stored. */
  | 'ended';

/** What moves the state machine. */
export type CallStateEvent =
  /** The model socket is configured and the greeting was requested. */
  | 'model_ready'
  /** The model is ready, and the greeting waits for answering-machine detection. */
  | 'screen_started'
  /** Detection let the call through: a person (or no verdict in time); the greeting was requested. */
  | 'human_answered'
  /** The model started speaking (first audio of a response). */
  | 'agent_audio'
  /** A response finished (or was cancelled) with nothing left to run. */
  | 'response_done'
  /** The caller started speaking. */
  | 'caller_speech'
  /** The model asked for a tool call. */
  | 'tool_requested'
  /** Tool outputs were sent and a new response requested. */
  | 'tool_finished'
  /** The call is to end politely (goodbye, time limit, transfer). */
  | 'end_requested'
  /** The call is to close now (caller gone, failure, or the polite ending is done). */
  | 'close_requested'
  /** Every resource is released. */
  | 'closed';

/** From any state of a live conversation: the call can end politely or close at once. */
const LEAVING = { end_requested: 'ending', close_requested: 'closing' } as const;

const TRANSITIONS: Readonly<Record<CallState, Partial<Record<CallStateEvent, CallState>>>> = {
  connecting: { model_ready: 'greeting', screen_started: 'screening', ...LEAVING },
  screening: { human_answered: 'greeting', ...LEAVING },
  greeting: {
    agent_audio: 'greeting',
    response_done: 'listening',
    caller_speech: 'listening',
    tool_requested: 'tool_call',
    ...LEAVING,
  },
  listening: {
    agent_audio: 'responding',
    caller_speech: 'listening',
    response_done: 'listening',
    tool_requested: 'tool_call',
    ...LEAVING,
  },
  responding: {
    agent_audio: 'responding',
    response_done: 'listening',
    caller_speech: 'listening',
    tool_requested: 'tool_call',
    ...LEAVING,
  },
  tool_call: {
    tool_requested: 'tool_call',
    tool_finished: 'responding',
    caller_speech: 'tool_call',
    ...LEAVING,
  },
  ending: { close_requested: 'closing' },
  closing: { closed: 'ended' },
  ended: {},
};

/**
 * The next state, or the same state when `event` does not apply there (a late model event after
 * the call started ending, for instance, changes nothing).
 */
export function nextCallState(state: CallState, event: CallStateEvent): CallState {
  return TRANSITIONS[state][event] ?? state;
}

/** The conversation is over: only the closing line (if any) is spoken from here on. */
export function isEnding(state: CallState): boolean {
  return state === 'ending' || state === 'closing' || state === 'ended';
}

/** `close()` has begun: nothing new may start. */
export function isClosing(state: CallState): boolean {
  return state === 'closing' || state === 'ended';
}
