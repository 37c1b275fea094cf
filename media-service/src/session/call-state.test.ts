import { describe, expect, it } from 'vitest';
import { type CallState, type CallStateEvent, nextCallState } from './call-state.ts';

describe('nextCallState', () => {
  const cases: [CallState, CallStateEvent, CallState][] = [
    ['connecting', 'model_ready', 'greeting'],
    ['connecting', 'agent_audio', 'connecting'],
    ['connecting', 'closed', 'ended'],
    ['greeting', 'agent_audio', 'greeting'],
    ['greeting', 'response_done', 'listening'],
    ['greeting', 'caller_speech', 'listening'],
    ['greeting', 'tool_requested', 'tool_call'],
    ['listening', 'agent_audio', 'responding'],
    ['listening', 'caller_speech', 'listening'],
    ['responding', 'response_done', 'listening'],
    ['responding', 'caller_speech', 'listening'],
    ['responding', 'tool_requested', 'tool_call'],
    ['tool_call', 'caller_speech', 'tool_call'],
    ['tool_call', 'agent_audio', 'tool_call'],
    ['tool_call', 'tool_finished', 'responding'],
    ['responding', 'end_requested', 'ending'],
    ['tool_call', 'end_requested', 'ending'],
    ['ending', 'agent_audio', 'ending'],
    ['ending', 'caller_speech', 'ending'],
    ['ending', 'closed', 'ended'],
    ['ended', 'model_ready', 'ended'],
    ['ended', 'closed', 'ended'],
  ];
  it.each(cases)('%s + %s → %s', (from, event, to) => {
    expect(nextCallState(from, event)).toBe(to);
  });
});
