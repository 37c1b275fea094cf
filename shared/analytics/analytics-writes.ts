import type { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { keys } from '../data/keys.ts';
import { analyticsBucket, type BucketScope, type Granule, rollupCounter } from './analytics-buckets.ts';
import { isRollupCounter } from './analytics-counters.ts';
import { localDay, utcHour } from './time-zones.ts';
import { buildUpdate } from '../data/update-expression.ts';

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Where a call's counters go: its tenant, agent, start instant and the tenant's time zone. */
export interface CounterScope {
  tenantId: string;
  agentId: string;
  /** The call's start (ISO): every counter of a call lands in the periods it started in. */
  at: string;
  timeZone: string;
}

/** The periods of an instant: UTC hour, and day and month in the zone. */
export function periodsOf(at: string, timeZone: string): Record<Granule, string> {
  const day = localDay(at, timeZone);
  return { hour: utcHour(at), day, month: day.slice(0, 7) };
}

/** Every bucket a call counts in, with the counters each takes (pure). */
export function bucketDeltas(
  scope: CounterScope,
  deltas: Record<string, number>,
): { bucket: string; counters: Record<string, number> }[] {
  const periods = periodsOf(scope.at, scope.timeZone);
  const scopes: BucketScope[] = [{ kind: 'tenant' }, { kind: 'agent', agentId: scope.agentId }];
  const out: { bucket: string; counters: Record<string, number> }[] = [];
  for (const s of scopes) {
    for (const granule of ['hour', 'day', 'month'] as const) {
      out.push({ bucket: analyticsBucket(s, granule, periods[granule]), counters: deltas });
    }
  }
  const rollup: Record<string, number> = {};
  for (const [name, value] of Object.entries(deltas)) {
    if (isRollupCounter(name)) rollup[rollupCounter(scope.agentId, name)] = value;
  }
  for (const granule of ['hour', 'day', 'month'] as const) {
    out.push({ bucket: analyticsBucket({ kind: 'rollup' }, granule, periods[granule]), counters: rollup });
  }
  return out;
}

/** `ADD` updates for a bucket's counters (zero and non-finite increments are left out). */
export function counterUpdate(db: Db, tenantId: string, bucket: string, counters: Record<string, number>) {
  const add = Object.fromEntries(
    Object.entries(counters).filter(([, value]) => Number.isFinite(value) && value !== 0),
  );
  if (Object.keys(add).length === 0) return undefined;
  return {
    TableName: db.tableName,
    Key: keys.stats(tenantId, bucket),
    ...buildUpdate({ add, set: { type: 'stats' } }),
  };
}

/**
 * The transaction items that add a call's analytics counters to its nine buckets. They ride in
 * the same transaction as the idempotency claim of the write that feeds them (usage record,
 * summary), so a redelivered event never counts twice.
 */
export function analyticsCounterUpdates(
  db: Db,
  scope: CounterScope,
  deltas: Record<string, number>,
): TransactItems {
  const items: TransactItems = [];
  for (const { bucket, counters } of bucketDeltas(scope, deltas)) {
    const update = counterUpdate(db, scope.tenantId, bucket, counters);
    if (update) items.push({ Update: update });
  }
  return items;
}
