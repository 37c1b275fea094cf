/**
 * Analytics counter items (`TENANT#t / STATS#an#…`), beside the usage buckets of
 * `billing/usage-counters.ts`. Every bucket is one item of flat Number counters updated with `ADD`.
 *
 *   an#t#hour#2026-11-22T13          tenant, one UTC hour
 *   an#t#day#2026-11-22              tenant, one day in the tenant's time zone
 *   an#t#month#2026-11               tenant, one month in the tenant's time zone
 *   an#a#agt_…#hour|day|month#…      the same for one agent
 *   an#r#hour|day|month#…            every agent of the tenant in one period (agent roll-up: the
 *                                    `agt_…|calls`-style counters the agents table needs)
 *
 * Tenant, agent and roll-up items have distinct prefixes, so a range of one kind is one Query
 * (`sk BETWEEN`) that reads nothing else.
 */
export type Granule = 'hour' | 'day' | 'month';

export type BucketScope = { kind: 'tenant' } | { kind: 'agent'; agentId: string } | { kind: 'rollup' };

const scopePrefix = (scope: BucketScope) =>
  scope.kind === 'tenant' ? 'an#t#' : scope.kind === 'agent' ? `an#a#${scope.agentId}#` : 'an#r#';

/** The bucket (sk after `STATS#`) of one period (`2026-11-22T13`, `2026-11-22`, `2026-11`). */
export const analyticsBucket = (scope: BucketScope, granule: Granule, period: string) =>
  `${scopePrefix(scope)}${granule}#${period}`;

/** The period a bucket sk (with or without `STATS#`) stands for. */
export const periodOfBucket = (sk: string) => sk.slice(sk.lastIndexOf('#') + 1);

/** Separator between agent id and counter name in roll-up items. */
export const ROLLUP_SEPARATOR = '|';
export const rollupCounter = (agentId: string, counter: string) => `${agentId}${ROLLUP_SEPARATOR}${counter}`;
