import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { priceTable as currentPriceTable, type PriceTable } from '../billing/price-table.ts';
import { buildUsageRecord } from '../billing/usage-record.ts';
import type { StoredUsageRecord } from '../billing/usage-store.ts';
import { isTerminal } from '../calls/call-status.ts';
import type { Call } from '../calls/call-types.ts';
import type { Db } from '../data/client.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';
import { analyticsBucket, ROLLUP_SEPARATOR } from './analytics-buckets.ts';
import { endedCallDeltas, sumCounters, summaryDeltas } from './analytics-counters.ts';
import { queryBuckets, type ReadStats } from './analytics-reads.ts';
import { bucketDeltas } from './analytics-writes.ts';
import { countEscalations } from './call-analytics.ts';
import { callPagesInWindow, usageRecordsOf } from './call-window.ts';
import { qaIndexPut } from './qa-index.ts';
import { addDays, startOfLocalDay, utcHoursOfLocalDay } from './time-zones.ts';

/**
 * Rebuilding counters from stored calls (backfill, bulk seeding). It uses the same delta
 * functions as the live event path and overwrites whole buckets, so running it twice, or after a
 * crash half-way through a day, gives the same result.
 */

/** A stored call's counter increments: as usage metering and the summary consumer would add them. */
export function storedCallDeltas(
  call: Call,
  usage: StoredUsageRecord | undefined,
  escalations: number,
  prices: PriceTable,
): Record<string, number>[] {
  if (!isTerminal(call.status)) return [];
  const record = usage ?? buildUsageRecord(call, prices);
  const out = [
    endedCallDeltas({
      call,
      connectedSeconds: record.connectedSeconds,
      billableSeconds: record.billableSeconds,
      chargeMicros: record.chargeMicros,
      escalations,
    }),
  ];
  // Summaries written without the model (empty transcripts) used no tokens and carry no score.
  if (call.summary) out.push(summaryDeltas(call.summary, (usage?.summaryInputTokens ?? 0) > 0));
  return out;
}

/** Adds a call's deltas into `buckets`, keeping only the buckets `keep` accepts (pure). */
export function accumulate(
  buckets: Map<string, Record<string, number>>,
  call: Pick<Call, 'tenantId' | 'agentId' | 'createdAt'>,
  timeZone: string,
  deltas: Record<string, number>[],
  keep: (bucket: string) => boolean,
): void {
  for (const d of deltas) {
    for (const { bucket, counters } of bucketDeltas(
      { tenantId: call.tenantId, agentId: call.agentId, at: call.createdAt, timeZone },
      d,
    )) {
      if (!keep(bucket)) continue;
      buckets.set(bucket, sumCounters([buckets.get(bucket) ?? {}, counters]));
    }
  }
}

async function batchWrite(db: Db, requests: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending = requests.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const out = await dynamo(() =>
        db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: pending as never } })),
      );
      pending = (out.UnprocessedItems?.[db.tableName] as Record<string, unknown>[] | undefined) ?? [];
      if (pending.length && attempt > 8) throw new Error('DynamoDB kept items unprocessed');
      if (pending.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
  }
}

/** Overwrites buckets with the given counters (BatchWriteItem, 25 puts a request). */
export async function putBuckets(db: Db, tenantId: string, buckets: Map<string, Record<string, number>>) {
  await batchWrite(
    db,
    [...buckets].map(([bucket, counters]) => ({
      PutRequest: {
        Item: {
          ...keys.stats(tenantId, bucket),
          type: 'stats',
          // Like ADD, which never writes a zero increment: a rebuilt bucket equals a live one.
          ...Object.fromEntries(Object.entries(counters).filter(([, v]) => v !== 0 && Number.isFinite(v))),
        },
      },
    })),
  );
}

export interface RebuildOptions {
  timeZone: string;
  prices?: PriceTable;
  /** Parallel escalation count Queries. */
  concurrency?: number;
}

/**
 * Rebuilds one local day of a tenant: its day buckets (tenant, agents, roll-up), the UTC hours
 * starting in it, and the QA index entries of its calls. Month buckets are rebuilt from days
 * afterwards (`rebuildMonth`). Returns the number of calls counted.
 */
export async function rebuildDay(
  db: Db,
  tenantId: string,
  day: string,
  options: RebuildOptions,
): Promise<number> {
  const prices = options.prices ?? currentPriceTable();
  const hours = utcHoursOfLocalDay(day, options.timeZone);
  const dayStart = startOfLocalDay(day, options.timeZone);
  const dayEnd = startOfLocalDay(addDays(day, 1), options.timeZone);
  const lastHourEnd = Date.parse(`${hours.at(-1) ?? ''}:00:00Z`) + 3_600_000;
  const wanted = (bucket: string) => {
    const [, , ...rest] = bucket.split('#');
    const period = rest.at(-1) ?? '';
    const granule = rest.at(-2);
    if (granule === 'day') return period === day;
    if (granule === 'hour') return hours.includes(period);
    return false;
  };
  const buckets = new Map<string, Record<string, number>>();
  // Every bucket of the day exists after a rebuild, even empty, so stale counts are overwritten.
  for (const kind of ['tenant', 'rollup'] as const) buckets.set(analyticsBucket({ kind }, 'day', day), {});
  for (const h of hours) {
    buckets.set(analyticsBucket({ kind: 'tenant' }, 'hour', h), {});
    buckets.set(analyticsBucket({ kind: 'rollup' }, 'hour', h), {});
  }
  let counted = 0;
  const qaPuts: Record<string, unknown>[] = [];
  for await (const page of callPagesInWindow(db, tenantId, {
    fromMs: Math.min(dayStart, Date.parse(`${hours[0] ?? ''}:00:00Z`) || dayStart),
    toMs: Math.max(dayEnd, lastHourEnd || dayEnd),
  })) {
    const usage = await usageRecordsOf(db, page.calls);
    const escalations = await mapLimited(page.calls, options.concurrency ?? 16, (call) =>
      countEscalations(db, call.id),
    );
    page.calls.forEach((call, i) => {
      const deltas = storedCallDeltas(call, usage.get(call.id), escalations[i] ?? 0, prices);
      if (deltas.length === 0) return;
      const inDay = Date.parse(call.createdAt) >= dayStart && Date.parse(call.createdAt) < dayEnd;
      accumulate(
        buckets,
        call,
        options.timeZone,
        deltas,
        (b) => wanted(b) && (inDay || b.includes('#hour#')),
      );
      if (inDay) counted += 1;
      if (inDay && call.summary && (usage.get(call.id)?.summaryInputTokens ?? 0) > 0) {
        qaPuts.push({ PutRequest: { Item: qaIndexPut(db, call, call.summary).Item } });
      }
    });
  }
  await putBuckets(db, tenantId, buckets);
  await batchWrite(db, qaPuts);
  return counted;
}

/** Rebuilds a month's tenant, roll-up and agent month buckets from its day buckets. */
export async function rebuildMonth(db: Db, tenantId: string, month: string): Promise<void> {
  const stats: ReadStats = { requests: 0 };
  const first = `${month}-01`;
  const last = addDays(`${addDays(`${month}-28`, 4).slice(0, 7)}-01`, -1);
  const [tenantDays, rollupDays] = await Promise.all([
    queryBuckets(db, tenantId, { kind: 'tenant' }, 'day', first, last, stats),
    queryBuckets(db, tenantId, { kind: 'rollup' }, 'day', first, last, stats),
  ]);
  const rollup = sumCounters(rollupDays.map((d) => d.counters));
  const agents = new Set(Object.keys(rollup).map((k) => k.split(ROLLUP_SEPARATOR)[0] as string));
  const months = new Map<string, Record<string, number>>([
    [analyticsBucket({ kind: 'tenant' }, 'month', month), sumCounters(tenantDays.map((d) => d.counters))],
    [analyticsBucket({ kind: 'rollup' }, 'month', month), rollup],
  ]);
  for (const agentId of agents) {
    const days = await queryBuckets(db, tenantId, { kind: 'agent', agentId }, 'day', first, last, stats);
    months.set(
      analyticsBucket({ kind: 'agent', agentId }, 'month', month),
      sumCounters(days.map((d) => d.counters)),
    );
  }
  await putBuckets(db, tenantId, months);
}

/** Maps with at most `limit` promises in flight, keeping order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}
