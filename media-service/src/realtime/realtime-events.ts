import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
/**
 * OpenAI Realtime (GA) server events the call session acts on, and a parser that never throws.
 * Unknown event types are kept (`kind: 'unknown'`) so a newer API never breaks a call; events
 * of a known type with missing fields come back `malformed` and are logged, not acted on.
 */

/**
 * What we send on the Realtime socket, typed by the vendor's SDK so the compiler checks every event
 * the media service builds (the fakes cannot catch a field the real API would refuse).
 */
export type ClientEvent = RealtimeClientEvent;

export interface RealtimeUsagePayload {
  input_tokens?: number;
  output_tokens?: number;
  input_token_details?: {
    text_tokens?: number;
    audio_tokens?: number;
    cached_tokens?: number;
    cached_tokens_details?: { text_tokens?: number; audio_tokens?: number };
  };
  output_token_details?: { text_tokens?: number; audio_tokens?: number };
}

export interface RealtimeErrorPayload {
  type?: string;
  code?: string;
  message?: string;
  event_id?: string;
}

export interface ResponseDonePayload {
  id: string;
  status?: string;
  status_details?: { reason?: string; type?: string; error?: RealtimeErrorPayload };
  usage?: RealtimeUsagePayload;
}

export type KnownServerEvent =
  | { type: 'session.created' }
  | { type: 'session.updated' }
  | { type: 'input_audio_buffer.speech_started'; item_id?: string; audio_start_ms?: number }
  | { type: 'input_audio_buffer.speech_stopped'; item_id?: string; audio_end_ms?: number }
  | { type: 'input_audio_buffer.timeout_triggered' }
  | {
      type: 'conversation.item.input_audio_transcription.completed';
      item_id: string;
      transcript: string;
      usage?: { type?: string; input_tokens?: number; output_tokens?: number; seconds?: number };
    }
  | { type: 'conversation.item.input_audio_transcription.delta'; item_id: string; delta: string }
  | { type: 'conversation.item.input_audio_transcription.failed'; item_id: string }
  | { type: 'response.created'; response: { id: string } }
  | { type: 'response.output_audio.delta'; response_id: string; item_id: string; delta: string }
  | { type: 'response.output_audio_transcript.delta'; response_id: string; item_id: string; delta: string }
  | {
      type: 'response.output_audio_transcript.done';
      response_id: string;
      item_id: string;
      transcript: string;
    }
  | { type: 'response.output_text.done'; response_id: string; item_id: string; text: string }
  | {
      type: 'response.function_call_arguments.done';
      response_id: string;
      item_id?: string;
      call_id: string;
      name: string;
      arguments: string;
    }
  | { type: 'response.done'; response: ResponseDonePayload }
  | { type: 'error'; error: RealtimeErrorPayload };

export type KnownServerEventType = KnownServerEvent['type'];

export type ParsedServerEvent =
  | { kind: 'event'; event: KnownServerEvent }
  | { kind: 'unknown'; type: string }
  | { kind: 'malformed'; type?: string; problem: string };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): value is string => typeof value === 'string';

/** Required string fields per event type; a known event missing one is malformed. */
const REQUIRED_STRINGS: Partial<Record<KnownServerEventType, readonly string[]>> = {
  'conversation.item.input_audio_transcription.completed': ['item_id', 'transcript'],
  'conversation.item.input_audio_transcription.delta': ['item_id', 'delta'],
  'conversation.item.input_audio_transcription.failed': ['item_id'],
  'response.output_audio.delta': ['response_id', 'item_id', 'delta'],
  'response.output_audio_transcript.delta': ['response_id', 'item_id', 'delta'],
  'response.output_audio_transcript.done': ['response_id', 'item_id', 'transcript'],
  'response.output_text.done': ['response_id', 'item_id', 'text'],
  'response.function_call_arguments.done': ['response_id', 'call_id', 'name', 'arguments'],
};

const KNOWN: ReadonlySet<string> = new Set<KnownServerEventType>([
  'session.created',
  'session.updated',
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'input_audio_buffer.timeout_triggered',
  'conversation.item.input_audio_transcription.completed',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.failed',
  'response.created',
  'response.output_audio.delta',
  'response.output_audio_transcript.delta',
  'response.output_audio_transcript.done',
  'response.output_text.done',
  'response.function_call_arguments.done',
  'response.done',
  'error',
]);

/** Parses one text frame from the realtime server. Never throws. */
export function parseServerEvent(text: string): ParsedServerEvent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'malformed', problem: 'not JSON' };
  }
  if (!isObject(json) || !str(json.type)) return { kind: 'malformed', problem: 'no string "type"' };
  const type = json.type;
  if (!KNOWN.has(type)) return { kind: 'unknown', type };
  for (const field of REQUIRED_STRINGS[type as KnownServerEventType] ?? []) {
    if (!str(json[field])) return { kind: 'malformed', type, problem: `"${field}" must be a string` };
  }
  if (type === 'response.created' || type === 'response.done') {
    if (!isObject(json.response) || !str(json.response.id)) {
      return { kind: 'malformed', type, problem: '"response.id" must be a string' };
    }
  }
  if (type === 'error' && !isObject(json.error)) {
    return { kind: 'malformed', type, problem: '"error" must be an object' };
  }
  return { kind: 'event', event: json as unknown as KnownServerEvent };
}

/** Error codes after which retrying the same connection cannot help (bad key, no access). */
export const FATAL_ERROR_CODES: ReadonlySet<string> = new Set([
  'invalid_api_key',
  'insufficient_quota',
  'model_not_found',
  'invalid_model',
  'account_deactivated',
  'unsupported_country_region_territory',
]);
