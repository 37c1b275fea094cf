import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { putTranscriptTurn } from '#shared/data/transcripts.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { type ApiClient, type ApiResponse, apiClient } from '../../test/functions/api-test-client.ts';

/**
 * Tenant isolation for every route that takes an id: another tenant's id must answer exactly like
 * an id that does not exist (same status, code and message), and lists never show it.
 */
let platform: TestPlatform;
let owner: TestTenant;
let ownerApi: ApiClient;
let intruder: ApiClient;
let intruderAgentId: string;
const ids: Record<'agent' | 'number' | 'key' | 'call', string> = { agent: '', number: '', key: '', call: '' };
const MISSING = {
  agent: 'agt_01JZZZZZZZZZZZZZZZZZZZZZZZ',
  number: 'num_01JZZZZZZZZZZZZZZZZZZZZZZZ',
  key: 'key_01JZZZZZZZZZZZZZZZZZZZZZZZ',
  call: 'call_01JZZZZZZZZZZZZZZZZZZZZZZZ',
};

beforeAll(async () => {
  platform = await startTestPlatform();
  owner = await createTestTenant();
  ownerApi = apiClient(platform.apiUrl, owner.apiKey);
  const other = await createTestTenant();
  intruder = apiClient(platform.apiUrl, other.apiKey);
  intruderAgentId = other.agentId;
  ids.agent = owner.agentId;
  ids.number = (
    await ownerApi.post('/v1/phone-numbers', {
      number: '+14155550900',
      agentId: owner.agentId,
      provider: 'asterisk',
    })
  ).body.phoneNumber.id;
  ids.key = (await ownerApi.post('/v1/api-keys', { name: 'owner key' })).body.apiKey.id;
  const db = dbFromEnv();
  const { call } = await createCall(
    db,
    {
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      direction: 'inbound',
      provider: 'asterisk',
      from: '+14155550901',
      to: '+14155550900',
    },
    { maxConcurrentCalls: 10 },
  );
  ids.call = call.id;
  await putTranscriptTurn(db, {
    callId: call.id,
    seq: 1,
    role: 'agent',
    text: 'Private words',
    startedAt: new Date().toISOString(),
  });
  await ownerApi.post(`/v1/calls/${call.id}/notes`, { text: 'Private note' });
  await ownerApi.post(`/v1/calls/${call.id}/escalations`, { reason: 'Private reason' });
});
afterAll(async () => {
  await platform?.stop();
});

type Kind = keyof typeof ids;
const ROUTES: { method: string; path: (id: string) => string; kind: Kind; body?: unknown }[] = [
  { method: 'GET', path: (id) => `/v1/agents/${id}`, kind: 'agent' },
  { method: 'PATCH', path: (id) => `/v1/agents/${id}`, kind: 'agent', body: { name: 'Hijacked' } },
  { method: 'DELETE', path: (id) => `/v1/agents/${id}`, kind: 'agent' },
  { method: 'GET', path: (id) => `/v1/phone-numbers/${id}`, kind: 'number' },
  // The intruder's own agent, so that only the number can be what is not found.
  {
    method: 'PATCH',
    path: (id) => `/v1/phone-numbers/${id}`,
    kind: 'number',
    body: () => ({ agentId: intruderAgentId }),
  },
  { method: 'DELETE', path: (id) => `/v1/phone-numbers/${id}`, kind: 'number' },
  { method: 'DELETE', path: (id) => `/v1/api-keys/${id}`, kind: 'key' },
  { method: 'GET', path: (id) => `/v1/calls/${id}`, kind: 'call' },
  { method: 'POST', path: (id) => `/v1/calls/${id}/end`, kind: 'call' },
  { method: 'GET', path: (id) => `/v1/calls/${id}/transcript`, kind: 'call' },
  { method: 'GET', path: (id) => `/v1/calls/${id}/notes`, kind: 'call' },
  { method: 'POST', path: (id) => `/v1/calls/${id}/notes`, kind: 'call', body: { text: 'Injected' } },
  { method: 'GET', path: (id) => `/v1/calls/${id}/escalations`, kind: 'call' },
  { method: 'POST', path: (id) => `/v1/calls/${id}/escalations`, kind: 'call', body: { reason: 'Injected' } },
];

const shape = (res: ApiResponse) => ({
  status: res.status,
  code: res.body?.error?.code,
  message: res.body?.error?.message,
  details: res.body?.error?.details,
});

describe('tenant isolation', () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path('{id}')}`, r] as const))(
    "%s answers another tenant's id exactly like a missing one",
    async (_name, route) => {
      const body = typeof route.body === 'function' ? route.body() : route.body;
      const foreign = await intruder.request(route.method, route.path(ids[route.kind]), { body });
      const missing = await intruder.request(route.method, route.path(MISSING[route.kind]), { body });
      expect(shape(foreign)).toEqual(shape(missing));
      expect(foreign.status).toBe(404);
      expect(JSON.stringify(foreign.body)).not.toContain('Private');
    },
  );

  it("leaves the owner's resources untouched", async () => {
    expect((await ownerApi.get(`/v1/agents/${ids.agent}`)).body.agent.name).toBe('Test agent');
    expect((await ownerApi.get(`/v1/calls/${ids.call}`)).body.call.status).toBe('queued');
    const notes = (await ownerApi.get(`/v1/calls/${ids.call}/notes`)).body.items;
    expect(notes.map((n: { text: string }) => n.text)).toEqual(['Private note']);
    const escalations = (await ownerApi.get(`/v1/calls/${ids.call}/escalations`)).body.items;
    expect(escalations).toHaveLength(1);
    const keys = (await ownerApi.get('/v1/api-keys')).body.items.map((k: { id: string }) => k.id);
    expect(keys).toContain(ids.key);
    expect((await ownerApi.get('/v1/phone-numbers')).body.items).toHaveLength(1);
  });

  it.each(['/v1/agents', '/v1/phone-numbers', '/v1/api-keys', '/v1/calls'])(
    "GET %s never lists another tenant's items",
    async (path) => {
      const res = await intruder.get(`${path}?limit=100`);
      expect(res.status).toBe(200);
      const listed = JSON.stringify(res.body);
      for (const id of Object.values(ids)) expect(listed).not.toContain(id);
    },
  );

  it("refuses another tenant's cursor", async () => {
    await ownerApi.post('/v1/agents', { name: 'Second', instructions: 'x' });
    const page = await ownerApi.get('/v1/agents?limit=1');
    const res = await intruder.get(`/v1/agents?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
  });

  it("cannot place a call with another tenant's agent", async () => {
    const foreign = await intruder.post('/v1/calls', { agentId: ids.agent, to: '+14155550999' });
    const missing = await intruder.post('/v1/calls', { agentId: MISSING.agent, to: '+14155550999' });
    expect(shape(foreign)).toEqual(shape(missing));
    expect(foreign.status).toBe(404);
  });
});
