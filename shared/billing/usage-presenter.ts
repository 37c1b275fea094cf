import { z } from 'zod';
import { pageQueryShape } from '../api/common-schemas.ts';
import { microsToUsd } from './cost.ts';
import type { StoredUsageRecord } from './usage-store.ts';

const MonthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
  .describe('Calendar month (UTC) as YYYY-MM; the current month when absent.');

export const UsageQuerySchema = z.strictObject({ month: MonthSchema.optional() });
export const UsageCallsQuerySchema = z.strictObject({ month: MonthSchema.optional(), ...pageQueryShape });

export const currentMonth = (now = new Date()) => now.toISOString().slice(0, 7);

type Counters = Record<string, number>;
const n = (c: Counters, key: string) => c[key] ?? 0;

function realtimeTokens(c: Counters) {
  return {
    inputText: n(c, 'inputTextTokens'),
    inputAudio: n(c, 'inputAudioTokens'),
    cachedInput: n(c, 'inputCachedTokens'),
    cachedInputText: n(c, 'inputCachedTextTokens'),
    cachedInputAudio: n(c, 'inputCachedAudioTokens'),
    outputText: n(c, 'outputTextTokens'),
    outputAudio: n(c, 'outputAudioTokens'),
  };
}

function cost(c: Counters) {
  const provider = n(c, 'realtimeMicros') + n(c, 'transcriptionMicros') + n(c, 'summaryMicros');
  return {
    currency: 'usd' as const,
    /** What the tenant is billed: billable seconds at the per-minute rate (reported to Stripe). */
    amount: microsToUsd(n(c, 'chargeMicros')),
    /** Model usage at provider list prices (cost to serve). */
    providerCost: {
      realtime: microsToUsd(n(c, 'realtimeMicros')),
      transcription: microsToUsd(n(c, 'transcriptionMicros')),
      summary: microsToUsd(n(c, 'summaryMicros')),
      total: microsToUsd(provider),
    },
  };
}

/** The usage figures of one counters item (tenant month or agent month). */
export function presentCounters(c: Counters) {
  return {
    calls: n(c, 'calls'),
    connectedCalls: n(c, 'connectedCalls'),
    billableSeconds: n(c, 'billableSeconds'),
    realtimeTokens: realtimeTokens(c),
    transcription: {
      inputTokens: n(c, 'transcriptionInputTokens'),
      outputTokens: n(c, 'transcriptionOutputTokens'),
      seconds: n(c, 'transcriptionSeconds'),
    },
    summaryTokens: n(c, 'summaryInputTokens') + n(c, 'summaryOutputTokens'),
    summaryTokenDetails: { input: n(c, 'summaryInputTokens'), output: n(c, 'summaryOutputTokens') },
    cost: cost(c),
  };
}

export function presentMonthUsage(
  month: string,
  data: { totals: Counters; byAgent: { agentId: string; counters: Counters }[] },
) {
  return {
    month,
    totals: presentCounters(data.totals),
    byAgent: data.byAgent
      .filter((agent) => n(agent.counters, 'calls') > 0)
      .map((agent) => ({ agentId: agent.agentId, ...presentCounters(agent.counters) })),
  };
}

/** One call's usage as the API lists it. */
export function presentUsageRecord(r: StoredUsageRecord) {
  const summaryInput = r.summaryInputTokens ?? 0;
  const summaryOutput = r.summaryOutputTokens ?? 0;
  return {
    callId: r.callId,
    agentId: r.agentId,
    month: r.month,
    callCreatedAt: r.callCreatedAt,
    endedAt: r.endedAt ?? null,
    status: r.status,
    endReason: r.endReason ?? null,
    direction: r.direction,
    provider: r.provider,
    priceVersion: r.priceVersion,
    connectedSeconds: r.connectedSeconds,
    billableSeconds: r.billableSeconds,
    realtimeTokens: realtimeTokens(r as unknown as Counters),
    transcription: {
      inputTokens: r.transcriptionInputTokens,
      outputTokens: r.transcriptionOutputTokens,
      seconds: r.transcriptionSeconds,
    },
    summaryTokens: summaryInput + summaryOutput,
    cost: cost({
      chargeMicros: r.chargeMicros,
      realtimeMicros: r.realtimeMicros,
      transcriptionMicros: r.transcriptionMicros,
      summaryMicros: r.summaryMicros ?? 0,
    }),
    stripe: { status: r.meterStatus ?? 'pending', reportedAt: r.meterReportedAt ?? null },
  };
}
