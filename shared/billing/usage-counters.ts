/**
 * Pre-aggregated counters (`TENANT#t / STATS#…`). Every counter is a flat Number attribute updated
 * with DynamoDB `ADD` inside the same transaction as the idempotency claim of the write that feeds
 * it, so a counter never counts an event twice. Readers (usage API, analytics: dashboard, volume,
 * QA, trends, CSV export) get a month or a day with one GetItem or one Query, never a scan.
 *
 * Buckets (the sk after `STATS#`):
 *   month#2026-11                   tenant, calendar month (UTC) the call started in
 *   month#2026-11#agent#agt_…       one agent in that month
 *   day#2026-11-22                  tenant, one day (trends)
 *   day#2026-11-22#agent#agt_…      one agent, one day
 */
export const statsBucket = {
  month: (month: string) => `month#${month}`,
  monthAgent: (month: string, agentId: string) => `month#${month}#agent#${agentId}`,
  monthAgentPrefix: (month: string) => `month#${month}#agent#`,
  day: (day: string) => `day#${day}`,
  dayAgent: (day: string, agentId: string) => `day#${day}#agent#${agentId}`,
} as const;

/** Counter attribute names, written by usage metering and by summaries. */
export const COUNTERS = {
  // usage metering (call.ended)
  calls: 'calls',
  connectedCalls: 'connectedCalls',
  connectedSeconds: 'connectedSeconds',
  billableSeconds: 'billableSeconds',
  chargeMicros: 'chargeMicros',
  realtimeMicros: 'realtimeMicros',
  transcriptionMicros: 'transcriptionMicros',
  responses: 'responses',
  inputTextTokens: 'inputTextTokens',
  inputAudioTokens: 'inputAudioTokens',
  inputCachedTokens: 'inputCachedTokens',
  inputCachedTextTokens: 'inputCachedTextTokens',
  inputCachedAudioTokens: 'inputCachedAudioTokens',
  outputTextTokens: 'outputTextTokens',
  outputAudioTokens: 'outputAudioTokens',
  transcriptionInputTokens: 'transcriptionInputTokens',
  transcriptionOutputTokens: 'transcriptionOutputTokens',
  transcriptionSeconds: 'transcriptionSeconds',
  // summaries (QA and sentiment for analytics)
  summarized: 'summarized',
  summaryInputTokens: 'summaryInputTokens',
  summaryOutputTokens: 'summaryOutputTokens',
  summaryMicros: 'summaryMicros',
  qaScored: 'qaScored',
  qaScoreSum: 'qaScoreSum',
} as const;

/** Per-value counters: `status#completed`, `direction#inbound`, `endReason#caller_hangup`, `sentiment#positive`. */
export const dimensionCounter = (
  dimension: 'status' | 'direction' | 'endReason' | 'sentiment',
  value: string,
) => `${dimension}#${value.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64)}`;

/** The UTC month (`YYYY-MM`) and day (`YYYY-MM-DD`) of an ISO instant. */
export function periodOf(iso: string): { month: string; day: string } {
  const day = new Date(iso).toISOString().slice(0, 10);
  return { month: day.slice(0, 7), day };
}

/** The counters worth an `ADD`: zero and non-finite increments are left out. */
export function countersToAdd(counters: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counters).filter(([, v]) => Number.isFinite(v) && v !== 0));
}
