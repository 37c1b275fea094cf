import {
  type AttributeValue,
  type QueryCommandOutput,
  QueryCommand as RawQueryCommand,
} from '@aws-sdk/client-dynamodb';
import { env } from '../config/env.ts';
import type { Db } from '../data/client.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { withoutMapKeyEscaping } from '../data/map-key-escaping.ts';
import { tenantPk } from '../data/keys.ts';
import { analyticsBucket, type BucketScope, type Granule, periodOfBucket } from './analytics-buckets.ts';
import { cacheCounters, cachedCounters, isSettled } from './analytics-cache.ts';
import { sumCounters } from './analytics-counters.ts';
import type { ResolvedRange } from './analytics-query.ts';
import { addDays, dayCount, localDay, startOfLocalDay, utcHour } from './time-zones.ts';

export type Counters = Record<string, number>;
export interface PeriodCounters {
  period: string;
  counters: Counters;
}

/** DynamoDB requests made by one analytics read (the bench and tests check the budget). */
export interface ReadStats {
  requests: number;
}

/** A bucket item's counters: its Number attributes, read straight from the wire format. */
function countersOf(item: Record<string, AttributeValue>): Counters {
  const out: Counters = {};
  for (const name in item) {
    const n = item[name]?.N;
    if (n !== undefined) out[name] = Number(n);
  }
  return out;
}

/**
 * The buckets of one kind between two periods (inclusive), in period order: one Query. Bucket
 * items hold up to a few thousand counters (the agents' roll-up), so they are read as low-level
 * AttributeValues and summed from there, skipping the document client's per-attribute copies.
 */
export async function queryBuckets(
  db: Db,
  tenantId: string,
  scope: BucketScope,
  granule: Granule,
  from: string,
  to: string,
  stats: ReadStats,
): Promise<PeriodCounters[]> {
  const out: PeriodCounters[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const command = new RawQueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': { S: tenantPk(tenantId) },
        ':from': { S: `STATS#${analyticsBucket(scope, granule, from)}` },
        ':to': { S: `STATS#${analyticsBucket(scope, granule, to)}` },
      },
      ExclusiveStartKey: startKey,
    });
    withoutMapKeyEscaping(command);
    // The document client sends low-level commands unchanged (it shares the client's stack).
    const page = (await dynamo(() => db.doc.send(command as never))) as QueryCommandOutput;
    stats.requests += 1;
    for (const item of page.Items ?? []) {
      out.push({ period: periodOfBucket(String(item.sk?.S)), counters: countersOf(item) });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return out;
}

/** Last day of the month holding `day`. */
const monthEnd = (day: string) => addDays(`${addDays(`${day.slice(0, 7)}-28`, 4).slice(0, 7)}-01`, -1);

const FEWEST_QUERIES_DAYS = 100;

/** One Query of a plan: buckets `from`..`to` of one granule, added (1) or subtracted (-1). */
export interface PlanPart {
  granule: 'day' | 'month';
  from: string;
  to: string;
  sign: 1 | -1;
}

const dayOfMonth = (day: string) => Number(day.slice(8, 10));

/**
 * How to read a range in the tenant's own time zone with at most three Queries and few items.
 * Whole months are month buckets. A partial month at either end is read as its days, or, when
 * fewer, as its month bucket minus the days of it outside the range (counters are integer sums,
 * so the difference is exact). Each end then reads at most ~15 day items: a 90-day range reads
 * about 10–20 items instead of ~30, which matters for the agents' roll-up, whose items carry a
 * few hundred counters each and make the read byte-bound.
 */
export function planRange(from: string, to: string, options: { fewestQueries?: boolean } = {}): PlanPart[] {
  const whole = (f: string, t: string) => f.endsWith('-01') && t === monthEnd(t);
  // One Query of up to 100 small day items, for a caller that spends a request elsewhere too.
  if (options.fewestQueries && dayCount(from, to) <= FEWEST_QUERIES_DAYS) {
    return [{ granule: 'day', from, to, sign: 1 }];
  }
  if (from.slice(0, 7) === to.slice(0, 7)) {
    if (whole(from, to)) return [{ granule: 'month', from: from.slice(0, 7), to: from.slice(0, 7), sign: 1 }];
    const inside = dayCount(from, to);
    const outside = dayOfMonth(monthEnd(to)) - inside;
    if (inside <= outside) return [{ granule: 'day', from, to, sign: 1 }];
    const plan: PlanPart[] = [];
    if (!from.endsWith('-01'))
      plan.push({ granule: 'day', from: `${from.slice(0, 7)}-01`, to: addDays(from, -1), sign: -1 });
    if (to !== monthEnd(to)) plan.push({ granule: 'day', from: addDays(to, 1), to: monthEnd(to), sign: -1 });
    plan.push({ granule: 'month', from: from.slice(0, 7), to: from.slice(0, 7), sign: 1 });
    return plan;
  }
  const plan: PlanPart[] = [];
  let firstMonth = from.slice(0, 7);
  if (!from.endsWith('-01')) {
    const head = dayOfMonth(monthEnd(from)) - dayOfMonth(from) + 1;
    const before = dayOfMonth(from) - 1;
    if (before < head) {
      plan.push({ granule: 'day', from: `${from.slice(0, 7)}-01`, to: addDays(from, -1), sign: -1 });
    } else {
      plan.push({ granule: 'day', from, to: monthEnd(from), sign: 1 });
      firstMonth = addDays(monthEnd(from), 1).slice(0, 7);
    }
  }
  let lastMonth = to.slice(0, 7);
  if (to !== monthEnd(to)) {
    const tail = dayOfMonth(to);
    const after = dayOfMonth(monthEnd(to)) - tail;
    if (after < tail) {
      plan.push({ granule: 'day', from: addDays(to, 1), to: monthEnd(to), sign: -1 });
    } else {
      plan.push({ granule: 'day', from: `${to.slice(0, 7)}-01`, to, sign: 1 });
      lastMonth = addDays(`${to.slice(0, 7)}-01`, -1).slice(0, 7);
    }
  }
  if (firstMonth <= lastMonth) plan.push({ granule: 'month', from: firstMonth, to: lastMonth, sign: 1 });
  return plan;
}

/** Adds the parts' counters with their signs; counters that come out zero are left out (pure). */
export function combineParts(parts: { sign: 1 | -1; counters: Counters }[]): Counters {
  const total: Counters = {};
  for (const { sign, counters } of parts) {
    for (const name in counters) total[name] = (total[name] ?? 0) + sign * (counters[name] as number);
  }
  for (const name in total) if (total[name] === 0) delete total[name];
  return total;
}

/** The UTC hours whose start lies in the range's local days. */
function hourSpan(range: ResolvedRange): { from: string; to: string; startMs: number; endMs: number } {
  const startMs = startOfLocalDay(range.from, range.timeZone);
  const endMs = startOfLocalDay(addDays(range.to, 1), range.timeZone);
  return {
    from: utcHour(Math.ceil(startMs / 3_600_000) * 3_600_000),
    to: utcHour(endMs - 1),
    startMs,
    endMs,
  };
}

const hourStartMs = (hour: string) => Date.parse(`${hour}:00:00Z`);

/** One plan part's buckets summed; parts that lie in settled periods come from the cache. */
async function summedBuckets(
  db: Db,
  tenantId: string,
  scope: BucketScope,
  granule: Granule,
  from: string,
  to: string,
  stats: ReadStats,
): Promise<Counters> {
  const nowMs = Date.now();
  const ttlSeconds = env().ANALYTICS_CACHE_SECONDS;
  const key = `${tenantId}|${analyticsBucket(scope, granule, from)}|${to}`;
  const cacheable = ttlSeconds > 0 && isSettled(to, nowMs);
  const cached = cacheable ? cachedCounters(key, nowMs) : undefined;
  if (cached) return cached;
  const counters = sumCounters(
    (await queryBuckets(db, tenantId, scope, granule, from, to, stats)).map((p) => p.counters),
  );
  if (cacheable) cacheCounters(key, counters, ttlSeconds, nowMs);
  return counters;
}

/**
 * The range's counters summed. In the tenant's time zone from day/month buckets (≤ 3 Queries);
 * in any other zone composed from UTC hour buckets (zones with a half-hour offset are then
 * approximated to the hour).
 */
export async function rangeCounters(
  db: Db,
  tenantId: string,
  scope: BucketScope,
  range: ResolvedRange,
  stats: ReadStats,
  options: { fewestQueries?: boolean } = {},
): Promise<Counters> {
  if (range.timeZone === range.tenantTimeZone) {
    const parts = await Promise.all(
      planRange(range.from, range.to, options).map(async (p) => ({
        sign: p.sign,
        counters: await summedBuckets(db, tenantId, scope, p.granule, p.from, p.to, stats),
      })),
    );
    return combineParts(parts);
  }
  const span = hourSpan(range);
  const hours = await queryBuckets(db, tenantId, scope, 'hour', span.from, span.to, stats);
  return sumCounters(hours.map((h) => h.counters));
}

/** Counters per local day of the range (days without calls are absent). */
export async function dailyCounters(
  db: Db,
  tenantId: string,
  scope: BucketScope,
  range: ResolvedRange,
  stats: ReadStats,
): Promise<Map<string, Counters>> {
  const out = new Map<string, Counters>();
  if (range.timeZone === range.tenantTimeZone) {
    for (const d of await queryBuckets(db, tenantId, scope, 'day', range.from, range.to, stats)) {
      out.set(d.period, d.counters);
    }
    return out;
  }
  const span = hourSpan(range);
  for (const h of await queryBuckets(db, tenantId, scope, 'hour', span.from, span.to, stats)) {
    const day = localDay(hourStartMs(h.period), range.timeZone);
    out.set(day, sumCounters([out.get(day) ?? {}, h.counters]));
  }
  return out;
}

/** Counters per UTC hour of the range's local days, keyed by the hour's ISO start. */
export async function hourlyCounters(
  db: Db,
  tenantId: string,
  scope: BucketScope,
  range: ResolvedRange,
  stats: ReadStats,
): Promise<{ hours: string[]; counters: Map<string, Counters> }> {
  const span = hourSpan(range);
  const counters = new Map<string, Counters>();
  for (const h of await queryBuckets(db, tenantId, scope, 'hour', span.from, span.to, stats)) {
    counters.set(h.period, h.counters);
  }
  const hours: string[] = [];
  for (let ms = hourStartMs(span.from); ms <= hourStartMs(span.to); ms += 3_600_000) hours.push(utcHour(ms));
  return { hours, counters };
}
