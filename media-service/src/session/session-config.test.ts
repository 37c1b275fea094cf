import { describe, expect, it } from 'vitest';
import type { Agent } from '#shared/agents/agent-schema.ts';
import type { TranscriptTurn } from '#shared/calls/call-types.ts';
import { quotedLines } from '../../../fakes/realtime/agent.ts';
import { buildSessionUpdate, greetingResponse, replayItems } from './session-config.ts';

const agent: Agent = {
  id: 'agent_1',
  tenantId: 'ten_1',
  name: 'A',
  instructions: 'Be kind.',
  voice: 'cedar',
  language: 'de-DE',
  tools: [],
  maxDurationSeconds: 600,
  idleTimeoutSeconds: 30,
  createdAt: '',
  updatedAt: '',
};

describe('buildSessionUpdate', () => {
  it('uses the GA shape with the transport format both ways', () => {
    const update = buildSessionUpdate({
      agent,
      format: { type: 'audio/pcmu' },
      transcriptionModel: 'gpt-4o-mini-transcribe',
      tools: [{ type: 'function', name: 'end_call', description: 'd', parameters: {} }],
    });
    expect(update).toEqual({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: 'Be kind.',
        output_modalities: ['audio'],
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            noise_reduction: { type: 'near_field' },
            transcription: { model: 'gpt-4o-mini-transcribe', language: 'de' },
            turn_detection: {
              type: 'server_vad',
              threshold: 0.5,
              prefix_padding_ms: 300,
              silence_duration_ms: 500,
              create_response: true,
              interrupt_response: true,
            },
          },
          output: { format: { type: 'audio/pcmu' }, voice: 'cedar' },
        },
        tools: [{ type: 'function', name: 'end_call', description: 'd', parameters: {} }],
        tool_choice: 'auto',
      },
    });
  });
});

describe('greetingResponse', () => {
  it('says the configured greeting word for word, or greets briefly', () => {
    expect(greetingResponse({ ...agent, greeting: 'Acme, hi!' }).response.instructions).toBe(
      'Greet the caller by saying exactly: "Acme, hi!"',
    );
    expect(greetingResponse(agent).response.instructions).toMatch(/Greet the caller briefly/);
  });

  it('puts the recording disclosure first; the local stand-in agent says both lines in that order', () => {
    const { instructions } = greetingResponse(
      { ...agent, greeting: 'Acme, hi!' },
      'This call is recorded.',
    ).response;
    expect(instructions).toBe(
      'First say exactly: "This call is recorded." Then, in the same turn: greet the caller by saying exactly: "Acme, hi!"',
    );
    expect(quotedLines(instructions)).toBe('This call is recorded. Acme, hi!');
  });
});

describe('replayItems', () => {
  const turn = (seq: number, role: TranscriptTurn['role'], text: string): TranscriptTurn => ({
    callId: 'c',
    seq,
    role,
    text,
    startedAt: '',
  });
  it('maps turns to GA conversation items in order', () => {
    expect(
      replayItems([turn(1, 'agent', 'Hi'), turn(2, 'caller', 'Yo'), turn(3, 'tool', 'f() → 1')]).map(
        (e) => e.item,
      ),
    ).toEqual([
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Yo' }] },
      { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'Tool result: f() → 1' }] },
    ]);
  });
  it('keeps only the most recent turns that fit the budget', () => {
    const many = Array.from({ length: 100 }, (_, i) => turn(i + 1, 'caller', `turn ${i + 1}`));
    const items = replayItems(many);
    expect(items).toHaveLength(60);
    expect(items.at(-1)?.item).toEqual({
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'turn 100' }],
    });
    const long = [turn(1, 'caller', 'x'.repeat(20_000)), turn(2, 'caller', 'y'.repeat(20_000))];
    expect(replayItems(long)).toHaveLength(1);
  });
});
