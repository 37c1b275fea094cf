import type { CallStatus } from '../calls/call-status.ts';
import type { Call, CallDirection } from '../calls/call-types.ts';
import { idBoundAt } from '../ids/ids.ts';
import type { Db } from './client.ts';
import { callIndexPk, tenantPk } from './keys.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';
import { CALL_INDEX } from './table.ts';

export interface CallFilters {
  status?: CallStatus;
  agentId?: string;
  direction?: CallDirection;
  from?: string;
  to?: string;
  /** Inclusive lower bound on creation time. */
  since?: Date;
  /** Exclusive upper bound on creation time. */
  until?: Date;
}

type EqualityFilter = 'status' | 'agentId' | 'direction' | 'from' | 'to';

/** Most selective first: the first filter present picks the index, the others become filters. */
const INDEX_FOR: {
  filter: EqualityFilter;
  index: string;
  pk: (tenantId: string, value: string) => string;
}[] = [
  { filter: 'agentId', index: CALL_INDEX.byAgent, pk: callIndexPk.agent },
  { filter: 'from', index: CALL_INDEX.byFrom, pk: callIndexPk.from },
  { filter: 'to', index: CALL_INDEX.byTo, pk: callIndexPk.to },
  { filter: 'status', index: CALL_INDEX.byStatus, pk: callIndexPk.status },
  { filter: 'direction', index: CALL_INDEX.byDirection, pk: callIndexPk.direction },
];

/**
 * Lists a tenant's calls newest first without scanning: the query runs on the tenant partition or
 * on the GSI of the most selective filter, with `since`/`until` as a sort-key range (call ids are
 * ULIDs, ordered by creation time). Every query is confined to one tenant's key space.
 */
export function listCalls(
  db: Db,
  tenantId: string,
  filters: CallFilters,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<Call>> {
  const chosen = INDEX_FOR.find((entry) => filters[entry.filter] !== undefined);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const lower = filters.since ? idBoundAt('call', filters.since.getTime(), 'min') : undefined;
  const upper = filters.until ? idBoundAt('call', filters.until.getTime() - 1, 'max') : undefined;

  let keyCondition: string;
  if (chosen) {
    const skName = `${chosen.index}sk`;
    names['#pk'] = `${chosen.index}pk`;
    names['#sk'] = skName;
    values[':pk'] = chosen.pk(tenantId, String(filters[chosen.filter]));
    keyCondition = '#pk = :pk';
    values[':lo'] = lower ?? 'call_';
    values[':hi'] = upper ?? 'call_~';
    keyCondition += ' AND #sk BETWEEN :lo AND :hi';
  } else {
    names['#pk'] = 'pk';
    names['#sk'] = 'sk';
    values[':pk'] = tenantPk(tenantId);
    values[':lo'] = `CALL#${lower ?? 'call_'}`;
    values[':hi'] = `CALL#${upper ?? 'call_~'}`;
    keyCondition = '#pk = :pk AND #sk BETWEEN :lo AND :hi';
  }

  const filterParts: string[] = [];
  for (const entry of INDEX_FOR) {
    if (entry === chosen || filters[entry.filter] === undefined) continue;
    names[`#${entry.filter}`] = entry.filter;
    values[`:${entry.filter}`] = filters[entry.filter];
    filterParts.push(`#${entry.filter} = :${entry.filter}`);
  }

  const scope = `calls:${tenantId}:${JSON.stringify({ ...filters, since: filters.since?.toISOString(), until: filters.until?.toISOString() })}`;
  return queryPage(
    db,
    {
      IndexName: chosen?.index,
      KeyConditionExpression: keyCondition,
      FilterExpression: filterParts.length ? filterParts.join(' AND ') : undefined,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    },
    { ...page, scope },
    (item) => stripKeys<Call>(item),
  );
}
