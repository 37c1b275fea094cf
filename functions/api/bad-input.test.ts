import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#shared/http/route-table.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { type ApiClient, apiClient } from '../../test/functions/api-test-client.ts';

/** No input, however odd, may produce a 5xx: every route gets malformed ids, bodies and queries. */
let platform: TestPlatform;
let tenantApi: ApiClient;
let adminApi: ApiClient;
beforeAll(async () => {
  platform = await startTestPlatform();
  tenantApi = apiClient(platform.apiUrl, (await createTestTenant()).apiKey);
  adminApi = apiClient(platform.apiUrl, platform.secrets.ADMIN_API_KEY);
});
afterAll(async () => {
  await platform?.stop();
});

const ODD_IDS = ['x'.repeat(2048), 'agt_%00', '%F0%9F%92%A9', 'call_01J..%2F..', 'ten_ 1', 'key_'];
const deep = `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`;
const ODD_BODIES = [
  '{',
  '[]',
  '"text"',
  '1e309',
  deep,
  '{"name":"\\ud800"}',
  '{"limits":{"maxConcurrentCalls":1e400}}',
  '\u0000',
];
const ODD_QUERIES = [
  '?limit=-1',
  '?limit=1e9',
  '?cursor=%FF%FE',
  `?cursor=${'a'.repeat(5000)}`,
  '?since=9999-99-99',
  '?status[]=x',
];

describe('bad input never gives a 5xx', () => {
  // Provider webhooks answer bad signatures before reading anything (functions/webhooks tests).
  for (const route of ROUTES.filter((r) => r.path !== '/health' && r.auth !== 'signature')) {
    it(`${route.method} ${route.path}`, async () => {
      const api = route.auth === 'admin' ? adminApi : tenantApi;
      const paths = route.path.includes('{id}')
        ? ODD_IDS.map((id) => route.path.replace('{id}', encodeURIComponent(id)))
        : [route.path];
      const attempts: Promise<{ status: number; body: unknown }>[] = [];
      for (const path of paths) {
        for (const query of ODD_QUERIES) attempts.push(api.request(route.method, `${path}${query}`));
        if (route.method !== 'GET' && route.method !== 'DELETE') {
          for (const rawBody of ODD_BODIES) attempts.push(api.request(route.method, path, { rawBody }));
        }
      }
      const results = await Promise.all(attempts);
      for (const res of results) {
        expect(res.status, JSON.stringify(res.body).slice(0, 200)).toBeLessThan(500);
        if (res.status >= 400) expect(res.body).toMatchObject({ error: { code: expect.any(String) } });
      }
    });
  }
});

describe('odd but valid JSON strings', () => {
  it('stores or refuses lone surrogates and control characters without a 5xx', async () => {
    for (const name of ['\ud800', 'a\u0000b', '\u202e', '\uffff']) {
      const res = await tenantApi.post('/v1/agents', { name, instructions: `x${name}` });
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
    }
  });
});
