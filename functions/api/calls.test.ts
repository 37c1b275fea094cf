import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallSchema } from '#shared/api/call-schemas.ts';
import { linkProviderCallId, transitionCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { updateTenant } from '#shared/data/tenants.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { apiClient, expectError, type Json, receiveMessages } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let sqs: ReturnType<typeof createSqsClient>;
let counter = 0;
beforeAll(async () => {
  platform = await startTestPlatform();
  sqs = createSqsClient({ endpoint: platform.env.SQS_ENDPOINT });
});
afterAll(async () => {
  sqs?.destroy();
  await platform?.stop();
});

/** A tenant with an Asterisk number mapped to its agent. */
async function asteriskTenant(limits = { maxConcurrentCalls: 20, requestsPerSecond: 1000 }) {
  const tenant = await createTestTenant(limits);
  const api = apiClient(platform.apiUrl, tenant.apiKey);
  const from = `+1415555${String(1000 + counter++).padStart(4, '0')}`;
  const res = await api.post('/v1/phone-numbers', {
    number: from,
    agentId: tenant.agentId,
    provider: 'asterisk',
  });
  expect(res.status).toBe(201);
  return { ...tenant, api, from };
}

const mediaCommand = (type: string, callId: string) =>
  receiveMessages(
    sqs,
    platform.env.QUEUE_MEDIA_COMMANDS_URL as string,
    (m: Json) => m.type === type && m.callId === callId,
  );

describe('outbound Asterisk calls', () => {
  it('queues the call and tells the media service to originate it', async () => {
    const t = await asteriskTenant();
    const res = await t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838750' });
    expect(res.status).toBe(202);
    const call = CallSchema.parse(res.body.call);
    expect(call).toMatchObject({
      status: 'queued',
      provider: 'asterisk',
      from: t.from,
      providerCallId: null,
    });
    const [command] = await mediaCommand('call.originate', call.id);
    expect(command).toMatchObject({
      schemaVersion: 1,
      tenantId: t.tenant.id,
      agentId: t.agentId,
      to: '+442071838750',
      from: t.from,
    });
  });

  it('cancels a queued call nobody dialed yet, announces call.ended, and refuses a second end', async () => {
    const t = await asteriskTenant();
    const call = (await t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838751' })).body.call;
    const res = await t.api.post(`/v1/calls/${call.id}/end`);
    expect(res.status).toBe(202);
    expect(res.body.call).toMatchObject({ status: 'canceled', endReason: 'api_request' });
    const [ended] = await receiveMessages(
      sqs,
      platform.env.QUEUE_USAGE_URL as string,
      (m: Json) => m.type === 'call.ended' && m.callId === call.id,
    );
    expect(ended).toMatchObject({ status: 'canceled', tenantId: t.tenant.id });
    const again = await t.api.post(`/v1/calls/${call.id}/end`);
    expectError(again, 409, 'conflict');
    expect(again.body.error.details).toMatchObject({ reason: 'invalid_transition', from: 'canceled' });
  });

  it('fails the call and answers 503 when the media command queue is unavailable', async () => {
    const t = await asteriskTenant({ maxConcurrentCalls: 1, requestsPerSecond: 1000 });
    const saved = platform.env.QUEUE_MEDIA_COMMANDS_URL as string;
    platform.reconfigure({ QUEUE_MEDIA_COMMANDS_URL: `${saved}-missing` });
    let callId: string;
    try {
      const res = await t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838757' });
      expectError(res, 503, 'unavailable');
      callId = res.body.error.details.callId;
    } finally {
      platform.reconfigure({ QUEUE_MEDIA_COMMANDS_URL: saved });
    }
    const failed = await t.api.get(`/v1/calls/${callId}`);
    expect(failed.body.call).toMatchObject({ status: 'failed', endReason: 'provider_unavailable' });
    // The failed call gave its slot back: the tenant's only slot is free again.
    expect((await t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838757' })).status).toBe(202);
  });

  it('asks the media service to hang up a live call', async () => {
    const t = await asteriskTenant();
    const call = (await t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838752' })).body.call;
    const db = dbFromEnv();
    const stored = (await transitionCall(db, t.tenant.id, call.id, 'ringing')).call;
    await linkProviderCallId(db, stored, `channel-${call.id}`);
    const res = await t.api.post(`/v1/calls/${call.id}/end`);
    expect(res.status).toBe(202);
    expect(res.body.call.status).toBe('ringing');
    const [command] = await mediaCommand('call.end', call.id);
    expect(command).toMatchObject({ tenantId: t.tenant.id, reason: 'api_request' });
  });
});

describe('browser calls', () => {
  it('are ended by the media service that holds the socket (the web provider cannot be dialed)', async () => {
    const t = await asteriskTenant();
    const created = await t.api.post('/v1/web-calls', { agentId: t.agentId });
    expect(created.status).toBe(201);
    const callId = created.body.callId as string;
    await transitionCall(dbFromEnv(), t.tenant.id, callId, 'in_progress', {
      answeredAt: new Date().toISOString(),
    });
    const res = await t.api.post(`/v1/calls/${callId}/end`);
    expect(res.status).toBe(202);
    expect(res.body.call).toMatchObject({ provider: 'web', status: 'in_progress' });
    const [command] = await mediaCommand('call.end', callId);
    expect(command).toMatchObject({ tenantId: t.tenant.id, reason: 'api_request' });

    const dialed = await t.api.post('/v1/calls', {
      agentId: t.agentId,
      to: '+442071838759',
      provider: 'web',
    });
    expectError(dialed, 400, 'validation_error');
  });
});

describe('Idempotency-Key', () => {
  it('returns the first call for a retried request instead of dialing twice', async () => {
    const t = await asteriskTenant();
    const body = { agentId: t.agentId, to: '+442071838760' };
    const headers = { 'idempotency-key': `retry-${t.tenant.id}` };
    const first = await t.api.post('/v1/calls', body, { headers });
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const retry = await t.api.post('/v1/calls', body, { headers });
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.call.id).toBe(first.body.call.id);
    expect((await t.api.get('/v1/calls')).body.items).toHaveLength(1);

    const reused = await t.api.post('/v1/calls', { ...body, to: '+442071838761' }, { headers });
    expectError(reused, 409, 'conflict');
    expect(reused.body.error.details).toMatchObject({ reason: 'idempotency_key_reused' });
    expectError(
      await t.api.post('/v1/calls', body, { headers: { 'idempotency-key': 'bad key' } }),
      400,
      'validation_error',
    );
    // Keys belong to a tenant: another tenant's identical key is a different request.
    const other = await asteriskTenant();
    const theirs = await other.api.post(
      '/v1/calls',
      { agentId: other.agentId, to: '+442071838760' },
      { headers },
    );
    expect(theirs.status).toBe(202);
    expect(theirs.body.call.id).not.toBe(first.body.call.id);
  });

  it('frees the key when the attempt fails, so the retry can succeed', async () => {
    const t = await asteriskTenant();
    const headers = { 'idempotency-key': `fail-${t.tenant.id}` };
    const bad = await t.api.post(
      '/v1/calls',
      { agentId: 'agt_01JZZZZZZZZZZZZZZZZZZZZZZZ', to: '+442071838762' },
      { headers },
    );
    expectError(bad, 404, 'not_found');
    const good = await t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838762' }, { headers });
    expect(good.status).toBe(202);
  });
});

describe('call admission', () => {
  it('caps concurrent calls per tenant with 429 rate_limited and a reason', async () => {
    const t = await asteriskTenant({ maxConcurrentCalls: 1, requestsPerSecond: 1000 });
    const first = await t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838753' });
    expect(first.status).toBe(202);
    const second = await t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838754' });
    expectError(second, 429, 'rate_limited');
    expect(second.body.error.details).toMatchObject({ reason: 'concurrent_calls', limit: 1 });
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Ending the first frees the slot.
    expect((await t.api.post(`/v1/calls/${first.body.call.id}/end`)).status).toBe(202);
    expect((await t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838754' })).status).toBe(202);
  });

  it('refuses calls on a billing hold with 403', async () => {
    const t = await asteriskTenant();
    await updateTenant(dbFromEnv(), t.tenant.id, { billingStatus: 'past_due' });
    const res = await t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838755' });
    expectError(res, 403, 'forbidden');
    expect(res.body.error.details).toMatchObject({ reason: 'past_due' });
    const list = await t.api.get('/v1/calls');
    expect(list.body.items).toEqual([]);
  });

  it('validates the request', async () => {
    const t = await asteriskTenant();
    const post = (body: Record<string, unknown>) =>
      t.api.post('/v1/calls', { agentId: t.agentId, to: '+442071838756', ...body });
    expectError(await post({ to: '020 7183 8756' }), 400, 'validation_error');
    expectError(await post({ provider: 'web' }), 400, 'validation_error');
    expectError(await post({ status: 'completed' }), 400, 'validation_error');
    expectError(await post({ metadata: { n: 1 } }), 400, 'validation_error');
    expectError(await post({ agentId: 'agt_01JZZZZZZZZZZZZZZZZZZZZZZZ' }), 404, 'not_found');
    const bare = await createTestTenant();
    const bareApi = apiClient(platform.apiUrl, bare.apiKey);
    const noNumber = await bareApi.post('/v1/calls', { agentId: bare.agentId, to: '+442071838756' });
    expectError(noNumber, 400, 'validation_error');
    expect(noNumber.body.error.details).toEqual([expect.objectContaining({ path: 'from' })]);
  });

  it('answers unknown call ids with 404 on every call route', async () => {
    const t = await asteriskTenant();
    const id = 'call_01JZZZZZZZZZZZZZZZZZZZZZZZ';
    expectError(await t.api.get(`/v1/calls/${id}`), 404, 'not_found');
    expectError(await t.api.post(`/v1/calls/${id}/end`), 404, 'not_found');
    expectError(await t.api.get('/v1/calls/not-an-id'), 404, 'not_found');
  });
});
