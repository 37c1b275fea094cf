import type { RealtimeUsage } from '../calls/call-types.ts';
import type { PriceTable, RoundingRule } from './price-table.ts';

/**
 * Money is kept in integer micro-dollars (1e-6 USD) so that counters can be summed with DynamoDB
 * `ADD` without floating-point drift; it becomes a decimal only when shown.
 */
export const MICROS_PER_USD = 1_000_000;

/**
 * Billable seconds of a call: 0 when it never connected, otherwise the connected duration rounded
 * up to the increment, and at least the minimum.
 */
export function billableSeconds(connectedSeconds: number | undefined, rule: RoundingRule): number {
  if (!connectedSeconds || connectedSeconds <= 0 || !Number.isFinite(connectedSeconds)) return 0;
  const step = Math.max(1, Math.floor(rule.incrementSeconds));
  // Sub-millisecond float noise (61.0000001 s) must not cost a whole extra increment.
  const seconds = Math.round(connectedSeconds * 1000) / 1000;
  const rounded = Math.ceil(seconds / step) * step;
  return Math.max(rounded, rule.minimumSeconds);
}

const perMillion = (tokens: number, usdPerMillion: number) => Math.round(tokens * usdPerMillion);

export interface CallCost {
  /** What the tenant is charged: billable minutes at the per-minute rate. */
  chargeMicros: number;
  /** Model usage at provider list prices (the cost to serve), by component. */
  realtimeMicros: number;
  transcriptionMicros: number;
}

/** Prices a call's billable time and its realtime + transcription usage with one table. */
export function callCost(seconds: number, usage: RealtimeUsage, table: PriceTable): CallCost {
  const rt = table.provider.realtime;
  // Cached tokens are a subset of input tokens: bill the uncached part at the full rate.
  const uncachedText = Math.max(0, usage.inputTextTokens - usage.inputCachedTextTokens);
  const uncachedAudio = Math.max(0, usage.inputAudioTokens - usage.inputCachedAudioTokens);
  const realtimeMicros =
    perMillion(uncachedText, rt.inputText) +
    perMillion(uncachedAudio, rt.inputAudio) +
    perMillion(usage.inputCachedTextTokens, rt.cachedInputText) +
    perMillion(usage.inputCachedAudioTokens, rt.cachedInputAudio) +
    perMillion(usage.outputTextTokens, rt.outputText) +
    perMillion(usage.outputAudioTokens, rt.outputAudio);
  const tr = table.provider.transcription;
  const transcriptionMicros =
    perMillion(usage.transcriptionInputTokens, tr.inputPerMTok) +
    perMillion(usage.transcriptionOutputTokens, tr.outputPerMTok) +
    Math.round((usage.transcriptionSeconds / 60) * tr.perMinute * MICROS_PER_USD);
  const chargeMicros = Math.round((seconds / 60) * table.perMinuteUsd * MICROS_PER_USD);
  return { chargeMicros, realtimeMicros, transcriptionMicros };
}

/** The provider cost of a summary request. */
export function summaryCostMicros(inputTokens: number, outputTokens: number, table: PriceTable): number {
  return (
    perMillion(inputTokens, table.provider.summary.inputPerMTok) +
    perMillion(outputTokens, table.provider.summary.outputPerMTok)
  );
}

/** Micro-dollars as USD with 6 decimals (for API responses). */
export function microsToUsd(micros: number): number {
  return Math.round(micros) / MICROS_PER_USD;
}
