import type { RealtimeUsage } from '#shared/calls/call-types.ts';
import type { RealtimeUsagePayload } from '../realtime/realtime-events.ts';

const n = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** The billable usage of one `response.done` (cached tokens are a subset of input tokens). */
export function usageFromResponse(usage: RealtimeUsagePayload | undefined): Partial<RealtimeUsage> {
  if (!usage) return { responses: 1 };
  const input = usage.input_token_details ?? {};
  const cached = input.cached_tokens_details ?? {};
  const output = usage.output_token_details ?? {};
  return {
    responses: 1,
    inputTextTokens: n(input.text_tokens),
    inputAudioTokens: n(input.audio_tokens),
    inputCachedTokens: n(input.cached_tokens),
    inputCachedTextTokens: n(cached.text_tokens),
    inputCachedAudioTokens: n(cached.audio_tokens),
    outputTextTokens: n(output.text_tokens),
    outputAudioTokens: n(output.audio_tokens),
  };
}

/** Input transcription usage: tokens or seconds, depending on the ASR model. */
export function usageFromTranscription(
  usage: { type?: string; input_tokens?: number; output_tokens?: number; seconds?: number } | undefined,
): Partial<RealtimeUsage> {
  if (!usage) return {};
  if (usage.type === 'duration') return { transcriptionSeconds: n(usage.seconds) };
  return {
    transcriptionInputTokens: n(usage.input_tokens),
    transcriptionOutputTokens: n(usage.output_tokens),
  };
}
