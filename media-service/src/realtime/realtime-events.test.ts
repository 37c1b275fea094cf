import { describe, expect, it } from 'vitest';
import { type ParsedServerEvent, parseServerEvent } from './realtime-events.ts';

describe('parseServerEvent', () => {
  const cases: [string, string, ParsedServerEvent['kind'], string?][] = [
    ['session.created', '{"type":"session.created","session":{}}', 'event'],
    [
      'speech_started',
      '{"type":"input_audio_buffer.speech_started","audio_start_ms":10,"item_id":"i"}',
      'event',
    ],
    [
      'audio delta',
      '{"type":"response.output_audio.delta","response_id":"r","item_id":"i","delta":"AA=="}',
      'event',
    ],
    [
      'audio delta missing delta',
      '{"type":"response.output_audio.delta","response_id":"r","item_id":"i"}',
      'malformed',
      '"delta" must be a string',
    ],
    ['response.done', '{"type":"response.done","response":{"id":"r","status":"cancelled"}}', 'event'],
    [
      'response.done without id',
      '{"type":"response.done","response":{}}',
      'malformed',
      '"response.id" must be a string',
    ],
    [
      'response.created without response',
      '{"type":"response.created"}',
      'malformed',
      '"response.id" must be a string',
    ],
    [
      'function call',
      '{"type":"response.function_call_arguments.done","response_id":"r","call_id":"c","name":"n","arguments":"{}"}',
      'event',
    ],
    [
      'function call missing name',
      '{"type":"response.function_call_arguments.done","response_id":"r","call_id":"c","arguments":"{}"}',
      'malformed',
      '"name" must be a string',
    ],
    [
      'transcription',
      '{"type":"conversation.item.input_audio_transcription.completed","item_id":"i","transcript":"hi"}',
      'event',
    ],
    [
      'transcription delta',
      '{"type":"conversation.item.input_audio_transcription.delta","item_id":"i","delta":"hi"}',
      'event',
    ],
    [
      'transcription delta missing delta',
      '{"type":"conversation.item.input_audio_transcription.delta","item_id":"i"}',
      'malformed',
      '"delta" must be a string',
    ],
    ['error', '{"type":"error","error":{"code":"x","message":"m"}}', 'event'],
    ['error without object', '{"type":"error","error":"x"}', 'malformed', '"error" must be an object'],
    ['unknown type kept', '{"type":"rate_limits.updated","rate_limits":[]}', 'unknown'],
    ['beta name is unknown', '{"type":"response.audio.delta","delta":"AA=="}', 'unknown'],
    ['not JSON', '{{', 'malformed', 'not JSON'],
    ['no type', '{"event":"x"}', 'malformed', 'no string "type"'],
    ['null', 'null', 'malformed', 'no string "type"'],
  ];
  it.each(cases)('%s', (_name, text, kind, problem) => {
    const parsed = parseServerEvent(text);
    expect(parsed.kind).toBe(kind);
    if (problem) expect(parsed).toMatchObject({ problem });
  });
});
