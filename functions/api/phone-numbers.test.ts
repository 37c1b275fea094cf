import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhoneNumberSchema } from '#shared/api/phone-number-schemas.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { findPhoneNumber } from '#shared/data/phone-numbers.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { type ApiClient, apiClient, expectError } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let tenant: TestTenant;
let api: ApiClient;
beforeAll(async () => {
  platform = await startTestPlatform();
  tenant = await createTestTenant();
  api = apiClient(platform.apiUrl, tenant.apiKey);
});
afterAll(async () => {
  await platform?.stop();
});

describe('phone numbers', () => {
  it('registers a number for an agent, lists it and releases it platform-wide', async () => {
    const res = await api.post('/v1/phone-numbers', {
      number: '+14155550101',
      agentId: tenant.agentId,
      provider: 'twilio',
    });
    expect(res.status).toBe(201);
    const phone = PhoneNumberSchema.parse(res.body.phoneNumber);
    expect(phone).toMatchObject({ number: '+14155550101', agentId: tenant.agentId, provider: 'twilio' });
    expect(phone.id).toMatch(/^num_/);
    expect((await findPhoneNumber(dbFromEnv(), '+14155550101'))?.tenantId).toBe(tenant.tenant.id);

    const list = await api.get('/v1/phone-numbers');
    expect(list.body.items).toEqual([res.body.phoneNumber]);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.nextCursor).toBeNull();

    expect((await api.delete(`/v1/phone-numbers/${phone.id}`)).status).toBe(204);
    expect(await findPhoneNumber(dbFromEnv(), '+14155550101')).toBeUndefined();
    expectError(await api.delete(`/v1/phone-numbers/${phone.id}`), 404, 'not_found');
    // Released numbers can be registered again.
    const again = await api.post('/v1/phone-numbers', {
      number: '+14155550101',
      agentId: tenant.agentId,
      provider: 'asterisk',
    });
    expect(again.status).toBe(201);
  });

  it('gets a number and remaps it to another agent, for inbound routing too', async () => {
    const phone = (
      await api.post('/v1/phone-numbers', {
        number: '+14155550105',
        agentId: tenant.agentId,
        provider: 'twilio',
      })
    ).body.phoneNumber;
    expect((await api.get(`/v1/phone-numbers/${phone.id}`)).body.phoneNumber).toEqual(phone);
    const second = (await api.post('/v1/agents', { name: 'Night line', instructions: 'x' })).body.agent;
    const res = await api.patch(`/v1/phone-numbers/${phone.id}`, { agentId: second.id });
    expect(res.status).toBe(200);
    expect(res.body.phoneNumber).toEqual({ ...phone, agentId: second.id });
    expect((await findPhoneNumber(dbFromEnv(), '+14155550105'))?.agentId).toBe(second.id);

    const other = await createTestTenant();
    expectError(
      await api.patch(`/v1/phone-numbers/${phone.id}`, { agentId: other.agentId }),
      404,
      'not_found',
    );
    expectError(
      await api.patch(`/v1/phone-numbers/${phone.id}`, { number: '+14155550106' }),
      400,
      'validation_error',
    );
    expectError(
      await api.patch('/v1/phone-numbers/num_01JZZZZZZZZZZZZZZZZZZZZZZZ', { agentId: second.id }),
      404,
      'not_found',
    );
    expectError(await api.get('/v1/phone-numbers/num_01JZZZZZZZZZZZZZZZZZZZZZZZ'), 404, 'not_found');
    expect((await findPhoneNumber(dbFromEnv(), '+14155550105'))?.agentId).toBe(second.id);
  });

  it('answers 409 when any tenant already has the number', async () => {
    const body = { number: '+14155550102', agentId: tenant.agentId, provider: 'twilio' };
    expect((await api.post('/v1/phone-numbers', body)).status).toBe(201);
    expectError(await api.post('/v1/phone-numbers', body), 409, 'conflict');
    const other = await createTestTenant();
    const otherApi = apiClient(platform.apiUrl, other.apiKey);
    expectError(
      await otherApi.post('/v1/phone-numbers', { ...body, agentId: other.agentId }),
      409,
      'conflict',
    );
  });

  it('needs an agent of the same tenant', async () => {
    const other = await createTestTenant();
    const foreign = await api.post('/v1/phone-numbers', {
      number: '+14155550103',
      agentId: other.agentId,
      provider: 'twilio',
    });
    const missing = await api.post('/v1/phone-numbers', {
      number: '+14155550103',
      agentId: 'agt_01JZZZZZZZZZZZZZZZZZZZZZZZ',
      provider: 'twilio',
    });
    expectError(foreign, 404, 'not_found');
    expect(foreign.body.error.message).toBe(missing.body.error.message);
    expect(await findPhoneNumber(dbFromEnv(), '+14155550103')).toBeUndefined();
  });

  it('validates E.164 numbers, providers and unknown fields', async () => {
    const base = { number: '+14155550104', agentId: tenant.agentId, provider: 'twilio' };
    for (const number of ['4155550104', '+0155550104', '+1 415 555 0104', '+1234', '']) {
      expectError(await api.post('/v1/phone-numbers', { ...base, number }), 400, 'validation_error');
    }
    expectError(await api.post('/v1/phone-numbers', { ...base, provider: 'web' }), 400, 'validation_error');
    expectError(await api.post('/v1/phone-numbers', { ...base, label: 'x' }), 400, 'validation_error');
  });

  it('pages numbers across pages and keeps tenants apart', async () => {
    const own = await createTestTenant();
    const ownApi = apiClient(platform.apiUrl, own.apiKey);
    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await ownApi.post('/v1/phone-numbers', {
        number: `+1415555020${i}`,
        agentId: own.agentId,
        provider: 'asterisk',
      });
      created.push(res.body.phoneNumber.id);
    }
    const first = await ownApi.get('/v1/phone-numbers?limit=2');
    const second = await ownApi.get(
      `/v1/phone-numbers?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    const ids = [...first.body.items, ...second.body.items].map((n: { id: string }) => n.id);
    // Newest first: ids are ULIDs, so id order is creation order (to the millisecond).
    expect(ids).toEqual([...created].sort().reverse());
    expect(second.body.nextCursor).toBeNull();
  });
});
