import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { type ApiClient, apiClient } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let api: ApiClient;
let counter = 0;
beforeAll(async () => {
  platform = await startTestPlatform();
  api = apiClient(platform.apiUrl, (await createTestTenant()).apiKey);
});
afterAll(async () => {
  await platform?.stop();
});

const ROUNDS = 8;
const newAgent = async () =>
  (await api.post('/v1/agents', { name: 'Race', instructions: 'x' })).body.agent.id as string;
const nextNumber = () => `+1415557${String(1000 + counter++).padStart(4, '0')}`;

/** After the race, a number may route only to an agent that still exists. */
async function expectNoNumberOnDeletedAgent(agentId: string, deleteStatus: number): Promise<void> {
  const numbers = (await api.get('/v1/phone-numbers?limit=100')).body.items as { agentId: string }[];
  const agentExists = (await api.get(`/v1/agents/${agentId}`)).status === 200;
  expect(agentExists).toBe(deleteStatus !== 204);
  if (!agentExists) expect(numbers.filter((n) => n.agentId === agentId)).toEqual([]);
}

describe('deleting an agent while a number is routed to it', () => {
  it('POST /v1/phone-numbers and DELETE /v1/agents/{id} never both succeed', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const agentId = await newAgent();
      const [created, deleted] = await Promise.all([
        api.post('/v1/phone-numbers', { number: nextNumber(), agentId, provider: 'asterisk' }),
        api.delete(`/v1/agents/${agentId}`),
      ]);
      const outcome = `${created.status}/${deleted.status}`;
      expect(['201/409', '404/204'], JSON.stringify([created.body, deleted.body])).toContain(outcome);
      await expectNoNumberOnDeletedAgent(agentId, deleted.status);
    }
  });

  it('PATCH /v1/phone-numbers/{id} and DELETE /v1/agents/{id} never both succeed', async () => {
    const home = await newAgent();
    const number = (
      await api.post('/v1/phone-numbers', { number: nextNumber(), agentId: home, provider: 'asterisk' })
    ).body.phoneNumber;
    for (let round = 0; round < ROUNDS; round++) {
      const target = await newAgent();
      const [patched, deleted] = await Promise.all([
        api.patch(`/v1/phone-numbers/${number.id}`, { agentId: target }),
        api.delete(`/v1/agents/${target}`),
      ]);
      const outcome = `${patched.status}/${deleted.status}`;
      expect(['200/409', '404/204'], JSON.stringify([patched.body, deleted.body])).toContain(outcome);
      await expectNoNumberOnDeletedAgent(target, deleted.status);
      // Move it home again so the next round races from the same start.
      expect((await api.patch(`/v1/phone-numbers/${number.id}`, { agentId: home })).status).toBe(200);
    }
    // The agent it left can be deleted; the one it routes to cannot.
    const spare = await newAgent();
    expect((await api.delete(`/v1/agents/${spare}`)).status).toBe(204);
    expect((await api.delete(`/v1/agents/${home}`)).status).toBe(409);
    expect((await api.delete(`/v1/phone-numbers/${number.id}`)).status).toBe(204);
    expect((await api.delete(`/v1/agents/${home}`)).status).toBe(204);
  });
});
