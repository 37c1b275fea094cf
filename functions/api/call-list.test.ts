import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallSchema } from '#shared/api/call-schemas.ts';
import { pageOf } from '#shared/api/common-schemas.ts';
import type { Call } from '#shared/calls/call-types.ts';
import { createCall, transitionCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import {
  type ApiClient,
  type ApiResponse,
  apiClient,
  expectError,
} from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let tenant: TestTenant;
let api: ApiClient;
let secondAgentId: string;
const calls: Call[] = [];
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const HOUR = 3600_000;

beforeAll(async () => {
  platform = await startTestPlatform();
  tenant = await createTestTenant({ maxConcurrentCalls: 100, requestsPerSecond: 1000 });
  api = apiClient(platform.apiUrl, tenant.apiKey);
  secondAgentId = (await api.post('/v1/agents', { name: 'Second', instructions: 'x' })).body.agent.id;
  const db = dbFromEnv();
  // Twelve calls, one an hour: alternating agents and directions, four callers, every third completed.
  for (let i = 0; i < 12; i++) {
    const { call } = await createCall(
      db,
      {
        tenantId: tenant.tenant.id,
        agentId: i % 2 === 0 ? tenant.agentId : secondAgentId,
        direction: i % 3 === 0 ? 'inbound' : 'outbound',
        provider: 'twilio',
        from: `+1415555060${i % 4}`,
        to: '+14155550700',
      },
      { maxConcurrentCalls: 100, now: new Date(T0 + i * HOUR) },
    );
    calls.push(i % 3 === 0 ? (await transitionCall(db, tenant.tenant.id, call.id, 'completed')).call : call);
  }
  // Another tenant's calls must never show up.
  const other = await createTestTenant();
  await createCall(
    db,
    {
      tenantId: other.tenant.id,
      agentId: other.agentId,
      direction: 'inbound',
      provider: 'twilio',
      from: '+14155550600',
      to: '+14155550700',
    },
    { maxConcurrentCalls: 10, now: new Date(T0 + HOUR) },
  );
});
afterAll(async () => {
  await platform?.stop();
});

/** Follows nextCursor to the end, returning every id in order. */
async function listAll(query: string, limit = 5): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const res: ApiResponse = await api.get(
      `/v1/calls?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status).toBe(200);
    pageOf(CallSchema).parse(res.body);
    ids.push(...res.body.items.map((c: { id: string }) => c.id));
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  return ids;
}

const newestFirst = (list: Call[]) => list.map((c) => c.id).reverse();

describe('GET /v1/calls', () => {
  it('lists every call of the tenant newest first, across pages', async () => {
    expect(await listAll('')).toEqual(newestFirst(calls));
    const first = await api.get('/v1/calls');
    expect(first.body.items).toHaveLength(12);
    expect(first.body.nextCursor).toBeNull();
  });

  it.each([
    ['status=completed', (c: Call) => c.status === 'completed'],
    ['status=queued', (c: Call) => c.status === 'queued'],
    ['direction=inbound', (c: Call) => c.direction === 'inbound'],
    ['from=%2B14155550601', (c: Call) => c.from === '+14155550601'],
    ['to=%2B14155550700', () => true],
    ['status=queued&direction=outbound', (c: Call) => c.status === 'queued' && c.direction === 'outbound'],
    [
      'from=%2B14155550600&status=completed',
      (c: Call) => c.from === '+14155550600' && c.status === 'completed',
    ],
  ])('filters by %s', async (query, keep) => {
    expect(await listAll(`&${query}`, 3)).toEqual(newestFirst(calls.filter(keep)));
  });

  it('filters by agent', async () => {
    const expected = newestFirst(calls.filter((c) => c.agentId === secondAgentId));
    expect(await listAll(`&agentId=${secondAgentId}`, 4)).toEqual(expected);
    expect(await listAll(`&agentId=${secondAgentId}&direction=inbound`)).toEqual(
      newestFirst(calls.filter((c) => c.agentId === secondAgentId && c.direction === 'inbound')),
    );
  });

  it('filters by creation time: since inclusive, until exclusive', async () => {
    const since = new Date(T0 + 3 * HOUR).toISOString();
    const until = new Date(T0 + 7 * HOUR).toISOString();
    expect(await listAll(`&since=${since}&until=${until}`, 2)).toEqual(newestFirst(calls.slice(3, 7)));
    expect(await listAll(`&since=${since}&until=${until}&status=completed`)).toEqual(
      newestFirst(calls.slice(3, 7).filter((c) => c.status === 'completed')),
    );
    expect(await listAll(`&until=${new Date(T0).toISOString()}`)).toEqual([]);
  });

  it('rejects bad filters with 400', async () => {
    for (const query of [
      'status=done',
      'direction=sideways',
      'from=12345',
      'since=yesterday',
      `since=${new Date(T0 + HOUR).toISOString()}&until=${new Date(T0).toISOString()}`,
      'limit=500',
      'tenantId=ten_x',
    ]) {
      expectError(await api.get(`/v1/calls?${query}`), 400, 'validation_error');
    }
  });

  it('binds a cursor to its filters and its tenant', async () => {
    const page = await api.get('/v1/calls?limit=2&status=queued');
    const cursor = encodeURIComponent(page.body.nextCursor);
    expectError(
      await api.get(`/v1/calls?limit=2&status=completed&cursor=${cursor}`),
      400,
      'validation_error',
    );
    const other = apiClient(platform.apiUrl, (await createTestTenant()).apiKey);
    expectError(await other.get(`/v1/calls?limit=2&status=queued&cursor=${cursor}`), 400, 'validation_error');
  });
});
