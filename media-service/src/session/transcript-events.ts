import type { KnownServerEvent } from '../realtime/realtime-events.ts';
import type { CallTransport } from './call-transport.ts';
import type { SessionParts } from './session-wiring.ts';

/**
 * The model events that only feed the transcript (caller and agent text, live captions): they
 * change no call state, so the session hands them here and coordinates the rest. Returns whether
 * the event was one of them; a caller transcript's usage goes back through `onTranscriptionUsage`.
 */
export function recordTranscriptEvent(
  event: KnownServerEvent,
  parts: Pick<SessionParts, 'recorder' | 'agentTurns'>,
  transport: Pick<CallTransport, 'showPartial'>,
  onCallerTranscript: (
    usage: Extract<
      KnownServerEvent,
      { type: 'conversation.item.input_audio_transcription.completed' }
    >['usage'],
  ) => void,
): boolean {
  switch (event.type) {
    case 'conversation.item.input_audio_transcription.completed':
      parts.recorder.record(event.item_id, {
        role: 'caller',
        text: event.transcript,
        startedAt: new Date().toISOString(),
        itemId: event.item_id,
      });
      onCallerTranscript(event.usage);
      return true;
    case 'conversation.item.input_audio_transcription.failed':
      parts.recorder.skip(event.item_id);
      return true;
    case 'conversation.item.input_audio_transcription.delta':
      transport.showPartial?.('caller', event.item_id, event.delta);
      return true;
    case 'response.output_audio_transcript.delta':
      if (parts.agentTurns.onTranscriptDelta(event.response_id, event.item_id, event.delta)) {
        transport.showPartial?.('agent', event.item_id, event.delta);
      }
      return true;
    case 'response.output_audio_transcript.done':
      parts.agentTurns.onTranscriptDone(event.response_id, event.item_id, event.transcript);
      return true;
    default:
      return false;
  }
}
