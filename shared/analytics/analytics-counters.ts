import type { Call, CallSummary } from '../calls/call-types.ts';
import { HISTOGRAMS, histogramDeltas } from './latency-histogram.ts';

/**
 * Counter names of the analytics buckets and the pure functions that turn a call into counter
 * increments. The live event path (usage metering, summaries) and the backfill both use these, so
 * a rebuilt bucket equals one written event by event.
 */
export const AN = {
  calls: 'calls',
  answered: 'answered',
  unanswered: 'unanswered',
  completed: 'completed',
  failed: 'failed',
  connectedSeconds: 'connectedSeconds',
  billableSeconds: 'billableSeconds',
  chargeMicros: 'chargeMicros',
  escalations: 'escalations',
  escalatedCalls: 'escalatedCalls',
  transfers: 'transfers',
  /** Outbound calls an answering machine picked up (`endReason` `voicemail`). */
  voicemails: 'voicemails',
  toolCalls: 'toolCalls',
  bargeIns: 'bargeIns',
  modelReconnects: 'modelReconnects',
  resumes: 'resumes',
  resumedCalls: 'resumedCalls',
  outboundAnswered: 'outboundAnswered',
  outboundUnanswered: 'outboundUnanswered',
  summarized: 'summarized',
  qaScored: 'qaScored',
  qaScoreSum: 'qaScoreSum',
  recordedCalls: 'recordedCalls',
} as const;

export type Dimension =
  | 'status'
  | 'endReason'
  | 'direction'
  | 'provider'
  | 'failure'
  | 'tool'
  | 'sentiment'
  | 'qa'
  /** Warm transfer attempts by outcome (`transfer#answered`, `transfer#no_answer`, …). */
  | 'transfer';
export const DIMENSIONS: readonly Dimension[] = [
  'status',
  'endReason',
  'direction',
  'provider',
  'failure',
  'tool',
  'sentiment',
  'qa',
  'transfer',
];

/** A per-value counter: `status#completed`, `tool#book_appointment`, `qa#8` (scores 80–89). */
export const dimension = (name: Dimension, value: string) =>
  `${name}#${value.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'unknown'}`;

/** QA scores (0–100) in buckets of 10; 100 joins 90–99 so there are ten buckets. */
export const qaBucket = (score: number) => Math.min(9, Math.max(0, Math.floor(score / 10)));

/** Counters the agents table reads, kept per agent in the roll-up items. */
export const ROLLUP_COUNTERS: readonly string[] = [
  AN.calls,
  AN.answered,
  AN.completed,
  AN.connectedSeconds,
  AN.billableSeconds,
  AN.chargeMicros,
  AN.escalatedCalls,
  AN.transfers,
  AN.qaScored,
  AN.qaScoreSum,
];
export const ROLLUP_PREFIXES: readonly string[] = ['lat#firstAudio#', 'lat#response#'];
export const isRollupCounter = (name: string) =>
  ROLLUP_COUNTERS.includes(name) || ROLLUP_PREFIXES.some((p) => name.startsWith(p));

/** What a call contributes once it has ended (written with its usage record). */
export interface EndedCallFacts {
  call: Pick<
    Call,
    'status' | 'endReason' | 'direction' | 'provider' | 'telemetry' | 'answeredAt' | 'transfers'
  > &
    Partial<Pick<Call, 'recording'>>;
  connectedSeconds: number;
  billableSeconds: number;
  chargeMicros: number;
  /** Escalations raised during the call. */
  escalations: number;
}

function add(target: Record<string, number>, source: Record<string, number>): Record<string, number> {
  for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + v;
  return target;
}

/** Counter increments of an ended call (pure). */
export function endedCallDeltas(facts: EndedCallFacts): Record<string, number> {
  const { call } = facts;
  const answered = facts.connectedSeconds > 0;
  const telemetry = call.telemetry ?? {};
  const deltas: Record<string, number> = {
    [AN.calls]: 1,
    [answered ? AN.answered : AN.unanswered]: 1,
    [AN.connectedSeconds]: Math.round(facts.connectedSeconds),
    [AN.billableSeconds]: facts.billableSeconds,
    [AN.chargeMicros]: facts.chargeMicros,
    [dimension('status', call.status)]: 1,
    [dimension('direction', call.direction)]: 1,
    [dimension('provider', call.provider)]: 1,
  };
  if (call.endReason) deltas[dimension('endReason', call.endReason)] = 1;
  if (call.status === 'completed') deltas[AN.completed] = 1;
  if (call.status === 'failed' || call.status === 'busy' || call.status === 'no_answer') {
    deltas[AN.failed] = 1;
    deltas[dimension('failure', call.endReason ?? call.status)] = 1;
  }
  if (facts.escalations > 0) {
    deltas[AN.escalations] = facts.escalations;
    deltas[AN.escalatedCalls] = 1;
  }
  if (call.endReason === 'transferred') deltas[AN.transfers] = 1;
  // Stored by the time the call ends (the session waits for its recorder); deleted ones were stored.
  if (call.recording?.status === 'ready' || call.recording?.status === 'deleted')
    deltas[AN.recordedCalls] = 1;
  if (call.endReason === 'voicemail') deltas[AN.voicemails] = 1;
  for (const transfer of call.transfers ?? []) {
    const counter = dimension('transfer', transfer.outcome);
    deltas[counter] = (deltas[counter] ?? 0) + 1;
  }
  if (call.direction === 'outbound') deltas[answered ? AN.outboundAnswered : AN.outboundUnanswered] = 1;
  const bargeIns = telemetry.bargeInStopMs ?? [];
  if (bargeIns.length) deltas[AN.bargeIns] = bargeIns.length;
  if (telemetry.modelReconnects) deltas[AN.modelReconnects] = telemetry.modelReconnects;
  if (telemetry.resumes) {
    deltas[AN.resumes] = telemetry.resumes;
    deltas[AN.resumedCalls] = 1;
  }
  for (const [tool, count] of Object.entries(telemetry.toolCalls ?? {})) {
    if (!(count > 0)) continue;
    deltas[AN.toolCalls] = (deltas[AN.toolCalls] ?? 0) + count;
    deltas[dimension('tool', tool)] = count;
  }
  const latencies: Record<(typeof HISTOGRAMS)[number], number[]> = {
    firstAudio: telemetry.firstAgentAudioMs === undefined ? [] : [telemetry.firstAgentAudioMs],
    response: telemetry.responseLatenciesMs ?? [],
    bargeIn: bargeIns,
  };
  for (const name of HISTOGRAMS) add(deltas, histogramDeltas(name, latencies[name]));
  return deltas;
}

/** Counter increments of a stored summary; `scored` is false for summaries written without the model. */
export function summaryDeltas(summary: Pick<CallSummary, 'qaScore' | 'sentiment'>, scored: boolean) {
  const deltas: Record<string, number> = { [AN.summarized]: 1 };
  if (!scored) return deltas;
  deltas[AN.qaScored] = 1;
  deltas[AN.qaScoreSum] = summary.qaScore;
  deltas[dimension('qa', String(qaBucket(summary.qaScore)))] = 1;
  deltas[dimension('sentiment', summary.sentiment)] = 1;
  return deltas;
}

/** Sums counter maps (pure). */
export function sumCounters(maps: Iterable<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const m of maps) add(total, m);
  return total;
}
