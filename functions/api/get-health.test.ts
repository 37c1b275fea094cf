import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

describe('GET /health through the local HTTP API', () => {
  it('reports real DynamoDB and SQS checks', async () => {
    const res = await fetch(`${platform.apiUrl}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const body = await res.json();
    expect(body).toMatchObject({
      status: 'ok',
      checks: { dynamodb: { status: 'ok' }, sqs: { status: 'ok' } },
    });
  });

  it('answers 503 naming the dependency that is down', async () => {
    const saved = platform.env.TABLE_NAME;
    platform.reconfigure({ TABLE_NAME: 'no-such-table' });
    try {
      const res = await fetch(`${platform.apiUrl}/health`);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.status).toBe('degraded');
      expect(body.checks.dynamodb.status).toBe('down');
      expect(body.checks.sqs.status).toBe('ok');
    } finally {
      platform.reconfigure({ TABLE_NAME: saved });
    }
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${platform.apiUrl}/v1/nope`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });
});
