import { describe, expect, it } from 'vitest';
import { type CallState, type CallStateEvent, isClosing, isEnding, nextCallState } from './call-state.ts';

const STATES: CallState[] = [
  'connecting',
  'screening',
  'greeting',
  'listening',
  'responding',
  'tool_call',
  'ending',
  'closing',
  'ended',
];
const EVENTS: CallStateEvent[] = [
  'model_ready',
  'agent_audio',
  'response_done',
  'caller_speech',
  'tool_requested',
  'tool_finished',
  'end_requested',
  'close_requested',
  'closed',
  'screen_started',
  'human_answered',
];

/**
 * The whole machine, one row per state, one column per event in `EVENTS` order; `·` means the
 * event changes nothing in that state.
 */
const TABLE: Record<CallState, (CallState | '·')[]> = {
  //          model_ready  agent_audio   response_done caller_speech tool_requested tool_finished end_requested close_requested closed screen_started human_answered
  connecting: ['greeting', '·', '·', '·', '·', '·', 'ending', 'closing', '·', 'screening', '·'],
  screening: ['·', '·', '·', '·', '·', '·', 'ending', 'closing', '·', '·', 'greeting'],
  greeting: ['·', 'greeting', 'listening', 'listening', 'tool_call', '·', 'ending', 'closing', '·', '·', '·'],
  listening: [
    '·',
    'responding',
    'listening',
    'listening',
    'tool_call',
    '·',
    'ending',
    'closing',
    '·',
    '·',
    '·',
  ],
  responding: [
    '·',
    'responding',
    'listening',
    'listening',
    'tool_call',
    '·',
    'ending',
    'closing',
    '·',
    '·',
    '·',
  ],
  tool_call: ['·', '·', '·', 'tool_call', 'tool_call', 'responding', 'ending', 'closing', '·', '·', '·'],
  ending: ['·', '·', '·', '·', '·', '·', '·', 'closing', '·', '·', '·'],
  closing: ['·', '·', '·', '·', '·', '·', '·', '·', 'ended', '·', '·'],
  ended: ['·', '·', '·', '·', '·', '·', '·', '·', '·', '·', '·'],
};

const cases = STATES.flatMap((from) =>
  EVENTS.map((event, column) => {
    const to = TABLE[from][column];
    return [from, event, to === '·' ? from : to] as const;
  }),
);

describe('nextCallState', () => {
  it.each(cases)('%s + %s → %s', (from, event, to) => {
    expect(nextCallState(from, event)).toBe(to);
  });

  it('a call reaches ended only through closing', () => {
    const reachEnded = STATES.filter(
      (from) => from !== 'ended' && EVENTS.some((event) => nextCallState(from, event) === 'ended'),
    );
    expect(reachEnded).toEqual(['closing']);
  });
});

describe('isEnding / isClosing', () => {
  it.each(STATES)('%s', (state) => {
    const index = STATES.indexOf(state);
    expect(isEnding(state)).toBe(index >= STATES.indexOf('ending'));
    expect(isClosing(state)).toBe(index >= STATES.indexOf('closing'));
  });
});
