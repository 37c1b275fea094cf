import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';

let platform: TestPlatform;
let apiKey: string;
beforeAll(async () => {
  platform = await startTestPlatform();
  apiKey = (await createTestTenant()).apiKey;
});
afterAll(async () => {
  await platform?.stop();
});

/** Sends the request line exactly as written (fetch would normalise the path). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(platform.apiUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'GET',
        headers: { authorization: `Bearer ${apiKey}` },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the local gateway', () => {
  it.each(['/v1/agents/%E0%A4%A', '/v1/agents/%', '/v1/calls/%FF/transcript', '/v1/agents/%C0%AF'])(
    'answers a malformed percent-encoding (%s) with 400 and keeps serving',
    async (path) => {
      const res = await rawGet(path);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'validation_error' } });
      expect((await rawGet('/v1/agents')).status).toBe(200);
    },
  );
});
