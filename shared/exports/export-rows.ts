import type { StoredUsageRecord } from '../billing/usage-store.ts';
import type { Call } from '../calls/call-types.ts';
import type { Cell } from './csv.ts';

/**
 * The columns of a calls export and the pure function that turns a call into a row. Nested values
 * are flattened (`summary.qaScore`, `telemetry.firstAgentAudioMs`, `data.<field>` for the agents'
 * `summarySchema` fields); lists are joined with ` | `; metadata is JSON.
 */
export const BASE_COLUMNS = [
  'id',
  'agentId',
  'direction',
  'provider',
  'providerCallId',
  'from',
  'to',
  'status',
  'endReason',
  'createdAt',
  'answeredAt',
  'endedAt',
  'durationSeconds',
  'connectedSeconds',
  'billableSeconds',
  'cost',
  'currency',
  'summary.summary',
  'summary.sentiment',
  'summary.qaScore',
  'summary.qaReasons',
  'summary.actionItems',
  'telemetry.firstAgentAudioMs',
  'telemetry.responseLatenciesMs',
  'telemetry.bargeInStopMs',
  'telemetry.modelReconnects',
  'telemetry.toolCalls',
  'usage.responses',
  'usage.inputAudioTokens',
  'usage.outputAudioTokens',
  'usage.inputTextTokens',
  'usage.outputTextTokens',
  'usage.transcriptionSeconds',
  'metadata',
] as const;

/** Columns for a set of agents' summary schemas: the base ones plus `data.<field>` (sorted, unique). */
export function exportColumns(summarySchemas: readonly (Record<string, unknown> | undefined)[]): string[] {
  const fields = new Set<string>();
  for (const schema of summarySchemas) {
    const properties = schema?.properties;
    if (properties && typeof properties === 'object')
      for (const name of Object.keys(properties)) fields.add(name);
  }
  return [...BASE_COLUMNS, ...[...fields].sort().map((f) => `data.${f}`)];
}

const joined = (list: readonly unknown[] | undefined) =>
  list?.length ? list.map(String).join(' | ') : undefined;

function scalar(value: unknown): Cell {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** One call as `{column: value}` (pure). */
export function exportRow(call: Call, usage: StoredUsageRecord | undefined, columns: readonly string[]) {
  const s = call.summary;
  const t = call.telemetry;
  const values: Record<string, Cell> = {
    id: call.id,
    agentId: call.agentId,
    direction: call.direction,
    provider: call.provider,
    providerCallId: call.providerCallId,
    from: call.from,
    to: call.to,
    status: call.status,
    endReason: call.endReason,
    createdAt: call.createdAt,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    durationSeconds: call.durationSeconds,
    connectedSeconds: usage?.connectedSeconds,
    billableSeconds: usage?.billableSeconds,
    cost: usage ? usage.chargeMicros / 1e6 : undefined,
    currency: usage ? 'usd' : undefined,
    'summary.summary': s?.summary,
    'summary.sentiment': s?.sentiment,
    'summary.qaScore': s?.qaScore,
    'summary.qaReasons': joined(s?.qaReasons),
    'summary.actionItems': joined(s?.actionItems),
    'telemetry.firstAgentAudioMs': t?.firstAgentAudioMs,
    'telemetry.responseLatenciesMs': joined(t?.responseLatenciesMs),
    'telemetry.bargeInStopMs': joined(t?.bargeInStopMs),
    'telemetry.modelReconnects': t?.modelReconnects,
    'telemetry.toolCalls': t?.toolCalls ? JSON.stringify(t.toolCalls) : undefined,
    'usage.responses': call.usage?.responses,
    'usage.inputAudioTokens': call.usage?.inputAudioTokens,
    'usage.outputAudioTokens': call.usage?.outputAudioTokens,
    'usage.inputTextTokens': call.usage?.inputTextTokens,
    'usage.outputTextTokens': call.usage?.outputTextTokens,
    'usage.transcriptionSeconds': call.usage?.transcriptionSeconds,
    metadata: Object.keys(call.metadata ?? {}).length ? JSON.stringify(call.metadata) : undefined,
  };
  for (const [name, value] of Object.entries(s?.data ?? {})) values[`data.${name}`] = scalar(value);
  const row: Record<string, Cell> = {};
  for (const column of columns) row[column] = values[column];
  return row;
}
