import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '#shared/data/agents.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { analyticsSnapshot, callEndedBatch, endedCallAt } from '../../test/functions/analytics-test-kit.ts';
import { type ApiClient, apiClient } from '../../test/functions/api-test-client.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { handler as meterUsage } from '../consumers/meter-usage.ts';

let platform: TestPlatform;
let owner: TestTenant;
let api: ApiClient;
let first: string;
let second: string;

/** `[start, value]` pairs of a timeseries answer. */
const pointsOf = (body: { points: { start: string; value: number | null }[] }) =>
  body.points.map((p) => [p.start, p.value]);

beforeAll(async () => {
  platform = await startTestPlatform({ env: { CONSUMER_RETRY_BASE_SECONDS: '0' } });
  owner = await createTestTenant();
  api = apiClient(platform.apiUrl, owner.apiKey);
  first = owner.agentId;
  second = (
    await createAgent(dbFromEnv(), owner.tenant.id, {
      name: 'Second agent',
      instructions: 'Book plumbing visits.',
      voice: 'marin',
      tools: [],
      maxDurationSeconds: 600,
      idleTimeoutSeconds: 30,
    })
  ).id;
  // The tenant's zone is UTC. 6 and 13 April 2026 are Mondays, 12 April a Sunday.
  const db = dbFromEnv();
  const calls = [
    { agentId: first, at: '2026-04-06T10:00:00Z' },
    { agentId: first, at: '2026-04-12T23:59:00Z' },
    { agentId: first, at: '2026-04-13T00:01:00Z' },
    { agentId: second, at: '2026-04-07T10:00:00Z' },
  ];
  for (const { agentId, at } of calls) {
    const call = await endedCallAt(db, { tenantId: owner.tenant.id, agentId, at, seconds: 60 });
    expect(await meterUsage(callEndedBatch(call))).toEqual({ batchItemFailures: [] });
  }
  expect(Object.keys(await analyticsSnapshot(db, owner.tenant.id)).length).toBeGreaterThan(0);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

describe('analytics periods and the agent filter', () => {
  it('groups days into ISO weeks labelled by their Monday and into months, zero-filled', async () => {
    const weeks = await api.get(
      '/v1/analytics/timeseries?metric=calls&granularity=week&from=2026-04-01&to=2026-04-20',
    );
    expect(weeks.status).toBe(200);
    expect(pointsOf(weeks.body)).toEqual([
      ['2026-03-30', 0],
      ['2026-04-06', 3],
      ['2026-04-13', 1],
      ['2026-04-20', 0],
    ]);
    const months = await api.get(
      '/v1/analytics/timeseries?metric=calls&granularity=month&from=2026-03-30&to=2026-05-02',
    );
    expect(pointsOf(months.body)).toEqual([
      ['2026-03', 0],
      ['2026-04', 4],
      ['2026-05', 0],
    ]);
    // Without calls the average duration is 0 (as documented); a QA average or a percentile is null.
    const durations = await api.get(
      '/v1/analytics/timeseries?metric=avg_duration&granularity=week&from=2026-04-06&to=2026-04-26',
    );
    expect(pointsOf(durations.body)).toEqual([
      ['2026-04-06', 60],
      ['2026-04-13', 60],
      ['2026-04-20', 0],
    ]);
    const p90 = await api.get(
      '/v1/analytics/timeseries?metric=latency_p90&granularity=week&from=2026-04-20&to=2026-04-26',
    );
    expect(pointsOf(p90.body)).toEqual([['2026-04-20', null]]);
  });

  it('narrows every endpoint to one agent with agentId', async () => {
    const range = 'from=2026-04-01&to=2026-04-30';
    const weeks = await api.get(
      `/v1/analytics/timeseries?metric=calls&granularity=week&from=2026-04-06&to=2026-04-19&agentId=${first}`,
    );
    expect(weeks.body.range.agentId).toBe(first);
    expect(pointsOf(weeks.body)).toEqual([
      ['2026-04-06', 2],
      ['2026-04-13', 1],
    ]);
    const summary = await api.get(`/v1/analytics/summary?${range}&agentId=${second}`);
    expect(summary.body.range).toEqual({
      from: '2026-04-01',
      to: '2026-04-30',
      timezone: 'UTC',
      agentId: second,
    });
    expect(summary.body.totals.calls).toBe(1);
    const all = await api.get(`/v1/analytics/summary?${range}`);
    expect(all.body.totals.calls).toBe(4);

    const agents = await api.get(`/v1/analytics/agents?${range}&sort=calls&order=asc`);
    expect(agents.body.agents.map((a: { agentId: string; calls: number }) => [a.agentId, a.calls])).toEqual([
      [second, 1],
      [first, 3],
    ]);
  });
});
