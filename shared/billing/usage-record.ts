import type { Call } from '../calls/call-types.ts';
import { billableSeconds, callCost } from './cost.ts';
import type { PriceTable } from './price-table.ts';
import { COUNTERS, dimensionCounter, periodOf } from './usage-counters.ts';

/** One call's metered usage, as stored (flat numbers, micro-dollars) and listed by the API. */
export interface UsageRecord {
  callId: string;
  tenantId: string;
  agentId: string;
  /** UTC month and day the call started in: the billing period it counts towards. */
  month: string;
  day: string;
  callCreatedAt: string;
  endedAt?: string;
  status: string;
  endReason?: string;
  direction: string;
  provider: string;
  priceVersion: string;
  connectedSeconds: number;
  billableSeconds: number;
  chargeMicros: number;
  realtimeMicros: number;
  transcriptionMicros: number;
  responses: number;
  inputTextTokens: number;
  inputAudioTokens: number;
  inputCachedTokens: number;
  inputCachedTextTokens: number;
  inputCachedAudioTokens: number;
  outputTextTokens: number;
  outputAudioTokens: number;
  transcriptionInputTokens: number;
  transcriptionOutputTokens: number;
  transcriptionSeconds: number;
  meteredAt: string;
}

/** Fields the summary consumer adds to the same record (it may arrive first or later). */
export interface SummaryUsage {
  summaryInputTokens: number;
  summaryOutputTokens: number;
  summaryMicros: number;
}

/**
 * Seconds the call was connected: from answer to end when both are known, else the duration the
 * call path reported. A call that never connected has 0 (and is not billed), and so has a `failed`
 * one: the agent never came on the line (the model could not be reached, set-up failed).
 */
export function connectedSecondsOf(call: Call, reportedDuration?: number): number {
  if (call.status === 'failed') return 0;
  if (call.answeredAt && call.endedAt) {
    const ms = Date.parse(call.endedAt) - Date.parse(call.answeredAt);
    if (Number.isFinite(ms) && ms > 0) return ms / 1000;
    return 0;
  }
  if (!call.answeredAt && call.status !== 'completed') return 0;
  return Math.max(0, call.durationSeconds ?? reportedDuration ?? 0);
}

/** Builds the usage record of an ended call with one price table (pure). */
export function buildUsageRecord(
  call: Call,
  table: PriceTable,
  options: { reportedDuration?: number; now?: Date } = {},
): UsageRecord {
  const connected = connectedSecondsOf(call, options.reportedDuration);
  const billable = billableSeconds(connected, table.rounding);
  const cost = callCost(billable, call.usage, table);
  const { month, day } = periodOf(call.createdAt);
  const u = call.usage;
  return {
    callId: call.id,
    tenantId: call.tenantId,
    agentId: call.agentId,
    month,
    day,
    callCreatedAt: call.createdAt,
    endedAt: call.endedAt,
    status: call.status,
    endReason: call.endReason,
    direction: call.direction,
    provider: call.provider,
    priceVersion: table.version,
    connectedSeconds: Math.round(connected * 1000) / 1000,
    billableSeconds: billable,
    ...cost,
    responses: u.responses,
    inputTextTokens: u.inputTextTokens,
    inputAudioTokens: u.inputAudioTokens,
    inputCachedTokens: u.inputCachedTokens,
    inputCachedTextTokens: u.inputCachedTextTokens,
    inputCachedAudioTokens: u.inputCachedAudioTokens,
    outputTextTokens: u.outputTextTokens,
    outputAudioTokens: u.outputAudioTokens,
    transcriptionInputTokens: u.transcriptionInputTokens,
    transcriptionOutputTokens: u.transcriptionOutputTokens,
    transcriptionSeconds: u.transcriptionSeconds,
    meteredAt: (options.now ?? new Date()).toISOString(),
  };
}

/** The counter increments one usage record contributes to its tenant's and agent's buckets. */
export function usageCounterDeltas(record: UsageRecord): Record<string, number> {
  return {
    [COUNTERS.calls]: 1,
    [COUNTERS.connectedCalls]: record.connectedSeconds > 0 ? 1 : 0,
    [COUNTERS.connectedSeconds]: Math.round(record.connectedSeconds),
    [COUNTERS.billableSeconds]: record.billableSeconds,
    [COUNTERS.chargeMicros]: record.chargeMicros,
    [COUNTERS.realtimeMicros]: record.realtimeMicros,
    [COUNTERS.transcriptionMicros]: record.transcriptionMicros,
    [COUNTERS.responses]: record.responses,
    [COUNTERS.inputTextTokens]: record.inputTextTokens,
    [COUNTERS.inputAudioTokens]: record.inputAudioTokens,
    [COUNTERS.inputCachedTokens]: record.inputCachedTokens,
    [COUNTERS.inputCachedTextTokens]: record.inputCachedTextTokens,
    [COUNTERS.inputCachedAudioTokens]: record.inputCachedAudioTokens,
    [COUNTERS.outputTextTokens]: record.outputTextTokens,
    [COUNTERS.outputAudioTokens]: record.outputAudioTokens,
    [COUNTERS.transcriptionInputTokens]: record.transcriptionInputTokens,
    [COUNTERS.transcriptionOutputTokens]: record.transcriptionOutputTokens,
    [COUNTERS.transcriptionSeconds]: Math.round(record.transcriptionSeconds),
    [dimensionCounter('status', record.status)]: 1,
    [dimensionCounter('direction', record.direction)]: 1,
    ...(record.endReason ? { [dimensionCounter('endReason', record.endReason)]: 1 } : {}),
  };
}
