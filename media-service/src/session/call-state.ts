/** The call session's states, in the order a call usually moves through them. */
export type CallState =
  | 'connecting'
  | 'greeting'
  | 'listening'
  | 'responding'
  | 'tool_call'
  | 'ending'
  | 'ended';

/** What moves the state machine. */
export type CallStateEvent =
  /** The model socket is configured and the greeting was requested. */
  | 'model_ready'
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
  /** The call is ending (goodbye, hang-up, transfer). */
  | 'end_requested'
  /** Every resource is released. */
  | 'closed';

const TRANSITIONS: Readonly<Record<CallState, Partial<Record<CallStateEvent, CallState>>>> = {
  connecting: { model_ready: 'greeting', end_requested: 'ending', closed: 'ended' },
  greeting: {
    agent_audio: 'greeting',
    response_done: 'listening',
    caller_speech: 'listening',
    tool_requested: 'tool_call',
    end_requested: 'ending',
    closed: 'ended',
  },
  listening: {
    agent_audio: 'responding',
    caller_speech: 'listening',
    response_done: 'listening',
    tool_requested: 'tool_call',
    end_requested: 'ending',
    closed: 'ended',
  },
  responding: {
    agent_audio: 'responding',
    response_done: 'listening',
    caller_speech: 'listening',
    tool_requested: 'tool_call',
    end_requested: 'ending',
    closed: 'ended',
  },
  tool_call: {
    tool_requested: 'tool_call',
    tool_finished: 'responding',
    caller_speech: 'tool_call',
    end_requested: 'ending',
    closed: 'ended',
  },
  ending: { closed: 'ended' },
  ended: {},
};

/**
 * The next state, or the same state when `event` does not apply there (a late model event after
 * the call started ending, for instance, changes nothing).
 */
export function nextCallState(state: CallState, event: CallStateEvent): CallState {
  return TRANSITIONS[state][event] ?? state;
}
