import type { Agent } from '#shared/agents/agent-schema.ts';
import type { TranscriptTurn } from '#shared/calls/call-types.ts';
import type {
  ConversationItemCreateEvent,
  ResponseCreateEvent,
  SessionUpdateEvent,
} from 'openai/resources/realtime/realtime';
import type { TransportAudioFormat } from './call-transport.ts';

/** A function tool as the GA realtime API takes it: flat, not nested under `function`. */
export interface RealtimeToolDefinition {
  type: 'function';
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface SessionConfigInput {
  agent: Agent;
  format: TransportAudioFormat;
  transcriptionModel: string;
  tools: RealtimeToolDefinition[];
}

/**
 * The `session.update` that configures a pooled socket for one call (GA shape). The same audio
 * format in both directions as the caller leg, so audio passes through untouched; server VAD
 * with `interrupt_response` so the model stops itself when the caller talks over it.
 */
export function buildSessionUpdate(input: SessionConfigInput): SessionUpdateEvent {
  const { agent, format } = input;
  return {
    type: 'session.update',
    session: {
      type: 'realtime',
      instructions: agent.instructions,
      output_modalities: ['audio'],
      audio: {
        input: {
          format,
          // Phone handsets are close-talking microphones; browsers usually use a laptop's mic.
          noise_reduction: { type: format.type === 'audio/pcm' ? 'far_field' : 'near_field' },
          transcription: {
            model: input.transcriptionModel,
            ...(agent.language ? { language: agent.language.slice(0, 2) } : {}),
          },
          turn_detection: {
            type: 'server_vad',
            threshold: 0.5,
            prefix_padding_ms: 300,
            silence_duration_ms: 500,
            create_response: true,
            interrupt_response: true,
          },
        },
        output: { format, voice: agent.voice },
      },
      tools: input.tools,
      tool_choice: 'auto',
    },
  };
}

/**
 * The first response of a call: the agent's greeting, word for word when one is configured,
 * preceded by the recording disclosure on a recorded call whose agent has one.
 */
export function greetingResponse(
  agent: Agent,
  disclosure?: string,
): ResponseCreateEvent & { response: { instructions: string } } {
  const greeting = agent.greeting
    ? `Greet the caller by saying exactly: "${agent.greeting}"`
    : 'Greet the caller briefly and ask how you can help.';
  const instructions = disclosure
    ? `First say exactly: "${disclosure}" Then, in the same turn: ${greeting.charAt(0).toLowerCase()}${greeting.slice(1)}`
    : greeting;
  return { type: 'response.create', response: { instructions } };
}

/** Replayed history is capped so a long call never overflows the new session's context. */
const REPLAY_MAX_TURNS = 60;
const REPLAY_MAX_CHARS = 24_000;

/**
 * Conversation items that restore a call's context in a fresh model session (after a dropped
 * socket or the ~60-minute limit): the most recent turns as text, newest last.
 */
export function replayItems(turns: readonly TranscriptTurn[]): ConversationItemCreateEvent[] {
  const recent: TranscriptTurn[] = [];
  let chars = 0;
  for (let i = turns.length - 1; i >= 0 && recent.length < REPLAY_MAX_TURNS; i--) {
    const turn = turns[i] as TranscriptTurn;
    chars += turn.text.length;
    if (chars > REPLAY_MAX_CHARS) break;
    recent.unshift(turn);
  }
  return recent.map((turn) => ({
    type: 'conversation.item.create',
    item:
      turn.role === 'agent'
        ? { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: turn.text }] }
        : turn.role === 'caller'
          ? { type: 'message', role: 'user', content: [{ type: 'input_text', text: turn.text }] }
          : {
              type: 'message',
              role: 'system',
              content: [{ type: 'input_text', text: `Tool result: ${turn.text}` }],
            },
  }));
}

/** Said after a model reconnect the caller may have noticed, so the silence is explained. */
export const RESUME_AFTER_GAP_INSTRUCTIONS =
  'There was a brief technical interruption. Tell the caller in one short sentence that you are back and nothing was lost, then continue where you left off.';

/**
 * Keypad digits reach the model as a user message (it answers them like speech); the same text
 * is stored as the caller's turn.
 */
export function keypadMessage(digits: string): { text: string; event: ConversationItemCreateEvent } {
  const text = `[The caller pressed ${digits} on the phone keypad.]`;
  return {
    text,
    event: {
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    },
  };
}
