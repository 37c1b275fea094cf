import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentSchema } from '#shared/api/agent-schemas.ts';
import { pageOf } from '#shared/api/common-schemas.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import {
  type ApiClient,
  type ApiResponse,
  apiClient,
  expectError,
} from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let api: ApiClient;
let agentId: string;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { CORS_ORIGINS: 'https://app.example.com' } });
  const tenant = await createTestTenant();
  api = apiClient(platform.apiUrl, tenant.apiKey);
  agentId = tenant.agentId;
});
afterAll(async () => {
  await platform?.stop();
});

const newAgent = { name: 'Front desk', instructions: 'Help callers book appointments.' };

describe('agents', () => {
  it('creates an agent with defaults and returns it in the documented shape', async () => {
    const res = await api.post('/v1/agents', { ...newAgent, greeting: 'Hello!', language: 'en-US' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const agent = AgentSchema.parse(res.body.agent);
    expect(agent).toMatchObject({ name: 'Front desk', voice: 'marin', tools: [], maxDurationSeconds: 1800 });
    expect(agent.id).toMatch(/^agt_/);
    expect(new Date(agent.createdAt).toISOString()).toBe(agent.createdAt);

    const fetched = await api.get(`/v1/agents/${agent.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.agent).toEqual(res.body.agent);
  });

  it('patches only the named fields, removes optional ones with null, keeps defaults', async () => {
    const created = (await api.post('/v1/agents', { ...newAgent, voice: 'cedar', greeting: 'Hi' })).body
      .agent;
    const res = await api.patch(`/v1/agents/${created.id}`, { name: 'Renamed', greeting: null });
    expect(res.status).toBe(200);
    expect(res.body.agent).toMatchObject({
      name: 'Renamed',
      voice: 'cedar',
      instructions: newAgent.instructions,
    });
    expect(res.body.agent.greeting).toBeUndefined();
    expect(res.body.agent.updatedAt >= created.updatedAt).toBe(true);
  });

  it('rejects invalid patches: empty, unknown fields, bad values, removing a required field', async () => {
    const path = `/v1/agents/${agentId}`;
    expectError(await api.patch(path, {}), 400, 'validation_error');
    expectError(await api.patch(path, { nme: 'typo' }), 400, 'validation_error');
    expectError(await api.patch(path, { voice: 'robot' }), 400, 'validation_error');
    expectError(await api.patch(path, { name: null }), 400, 'validation_error');
  });

  it('validates bodies: unknown fields, missing fields and bad tools are 400 with field details', async () => {
    const unknown = await api.post('/v1/agents', { ...newAgent, temperature: 2 });
    expectError(unknown, 400, 'validation_error');
    expect(JSON.stringify(unknown.body.error.details)).toContain('temperature');
    const missing = await api.post('/v1/agents', { name: 'x' });
    expectError(missing, 400, 'validation_error');
    expect(missing.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'instructions' })]),
    );
    const badTool = await api.post('/v1/agents', {
      ...newAgent,
      tools: [{ type: 'http', name: 'book', description: 'Book', url: 'ftp://x' }],
    });
    expectError(badTool, 400, 'validation_error');
  });

  it('keeps a voicemail setting, checks it names a message to leave, and removes it with null', async () => {
    const voicemail = { action: 'leave_message', message: 'Hi, this is Acme. Please call us back.' };
    const created = await api.post('/v1/agents', { ...newAgent, voicemail });
    expect(created.status).toBe(201);
    expect(AgentSchema.parse(created.body.agent).voicemail).toEqual(voicemail);

    const noMessage = await api.post('/v1/agents', { ...newAgent, voicemail: { action: 'leave_message' } });
    expectError(noMessage, 400, 'validation_error');
    expect(noMessage.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'voicemail.message' })]),
    );
    const badAction = await api.patch(`/v1/agents/${created.body.agent.id}`, {
      voicemail: { action: 'beep' },
    });
    expectError(badAction, 400, 'validation_error');

    const hangup = await api.patch(`/v1/agents/${created.body.agent.id}`, {
      voicemail: { action: 'hangup' },
    });
    expect(hangup.body.agent.voicemail).toEqual({ action: 'hangup' });
    const removed = await api.patch(`/v1/agents/${created.body.agent.id}`, { voicemail: null });
    expect(removed.status).toBe(200);
    expect(removed.body.agent.voicemail).toBeUndefined();
  });

  it('answers malformed JSON, wrong content types and non-object bodies with 400', async () => {
    expectError(await api.request('POST', '/v1/agents', { rawBody: '{"name": ' }), 400, 'validation_error');
    expectError(
      await api.request('POST', '/v1/agents', {
        rawBody: 'name=x',
        headers: { 'content-type': 'text/plain' },
      }),
      400,
      'validation_error',
    );
    expectError(await api.request('POST', '/v1/agents', { rawBody: '[1,2]' }), 400, 'validation_error');
    expectError(await api.request('POST', '/v1/agents', { rawBody: 'null' }), 400, 'validation_error');
  });

  it('answers bodies over 64 KB with 413', async () => {
    const res = await api.post('/v1/agents', { ...newAgent, instructions: 'x'.repeat(70 * 1024) });
    expectError(res, 413, 'payload_too_large');
  });

  it('requires a valid key, by Bearer or x-api-key', async () => {
    expectError(await api.get('/v1/agents', { key: null }), 401, 'unauthorized');
    expectError(await api.get('/v1/agents', { key: 'sk_not_a_key' }), 401, 'unauthorized');
    const key = (await createTestTenant()).apiKey;
    const viaHeader = await api.get('/v1/agents', { key: null, headers: { 'x-api-key': key } });
    expect(viaHeader.status).toBe(200);
  });

  it('echoes a caller x-request-id and answers unknown ids with 404', async () => {
    const res = await api.get('/v1/agents/agt_01JZZZZZZZZZZZZZZZZZZZZZZZ', {
      headers: { 'x-request-id': 'trace-123' },
    });
    expectError(res, 404, 'not_found');
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expectError(await api.get(`/v1/agents/${'x'.repeat(3000)}`), 404, 'not_found');
    expectError(
      await api.patch('/v1/agents/agt_01JZZZZZZZZZZZZZZZZZZZZZZZ', { name: 'x' }),
      404,
      'not_found',
    );
    expectError(await api.delete('/v1/agents/agt_01JZZZZZZZZZZZZZZZZZZZZZZZ'), 404, 'not_found');
  });

  it('deletes an agent; refuses while a phone number routes to it', async () => {
    const agent = (await api.post('/v1/agents', newAgent)).body.agent;
    const number = await api.post('/v1/phone-numbers', {
      number: '+14155550199',
      agentId: agent.id,
      provider: 'asterisk',
    });
    expect(number.status).toBe(201);
    const refused = await api.delete(`/v1/agents/${agent.id}`);
    expectError(refused, 409, 'conflict');
    expect(refused.body.error.details).toMatchObject({ reason: 'agent_in_use' });
    expect((await api.delete(`/v1/phone-numbers/${number.body.phoneNumber.id}`)).status).toBe(204);
    expect((await api.delete(`/v1/agents/${agent.id}`)).status).toBe(204);
    expectError(await api.get(`/v1/agents/${agent.id}`), 404, 'not_found');
  });
});

describe('agent lists', () => {
  it('pages newest first across pages with signed cursors', async () => {
    const tenant = await createTestTenant();
    const own = apiClient(platform.apiUrl, tenant.apiKey);
    const ids = [tenant.agentId];
    for (let i = 0; i < 4; i++)
      ids.push((await own.post('/v1/agents', { ...newAgent, name: `A${i}` })).body.agent.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await own.get(
        `/v1/agents?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      pageOf(AgentSchema).parse(res.body);
      seen.push(...res.body.items.map((a: { id: string }) => a.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    // Newest first: ids are ULIDs, so id order is creation order (to the millisecond).
    expect(seen).toEqual([...ids].sort().reverse());
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('rejects bad limits, unknown query parameters and forged cursors with 400', async () => {
    expectError(await api.get('/v1/agents?limit=0'), 400, 'validation_error');
    expectError(await api.get('/v1/agents?limit=101'), 400, 'validation_error');
    expectError(await api.get('/v1/agents?limit=abc'), 400, 'validation_error');
    expectError(await api.get('/v1/agents?sort=name'), 400, 'validation_error');
    const first = await api.get('/v1/agents?limit=1');
    const cursor: string = first.body.nextCursor;
    expect(cursor).toBeTruthy();
    const [body, mac] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(body as string, 'base64url').toString());
    decoded.k.pk = 'TENANT#ten_other';
    const forged = `${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${mac}`;
    expectError(await api.get(`/v1/agents?cursor=${encodeURIComponent(forged)}`), 400, 'validation_error');
    expectError(await api.get('/v1/agents?cursor=garbage'), 400, 'validation_error');
    // A cursor of one list is not valid for another.
    expectError(
      await api.get(`/v1/phone-numbers?cursor=${encodeURIComponent(cursor)}`),
      400,
      'validation_error',
    );
  });
});

describe('CORS', () => {
  it('allows configured origins and answers preflight', async () => {
    const res = await api.get('/v1/agents', { headers: { origin: 'https://app.example.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await api.get('/v1/agents', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${platform.apiUrl}/v1/agents`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  });
});
