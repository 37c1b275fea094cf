import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { type ApiClient, apiClient, expectError } from '../../test/functions/api-test-client.ts';

/**
 * Keys a user may send that clash with JavaScript's object machinery, and nesting deep enough to
 * hit DynamoDB's 32-level limit. Bodies are sent as raw JSON text so `__proto__` stays an own key.
 */
const ODD_KEYS = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '~x', 'prototype'];

let platform: TestPlatform;
let api: ApiClient;
let agentId: string;
let numberCounter = 0;
beforeAll(async () => {
  platform = await startTestPlatform();
  const tenant = await createTestTenant({ maxConcurrentCalls: 50, requestsPerSecond: 1000 });
  api = apiClient(platform.apiUrl, tenant.apiKey);
  agentId = tenant.agentId;
});
afterAll(async () => {
  await platform?.stop();
});

/** `{"k1":"v-k1","k2":"v-k2",…}` written by hand so `__proto__` is an own key once parsed. */
const objectText = (keys: string[], value: (key: string) => string) =>
  `{${keys.map((k) => `${JSON.stringify(k)}:${value(k)}`).join(',')}}`;

/** Own entries sorted by key: DynamoDB maps do not keep key order, and JSON objects need not. */
const ownEntries = (value: unknown) =>
  Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const SORTED_KEYS = [...ODD_KEYS].sort();

describe('any JSON key round-trips', () => {
  it('keeps every odd key of a tool parameter schema and a summarySchema (create, read, patch)', async () => {
    const properties = objectText(ODD_KEYS, (k) => `{"type":"string","description":${JSON.stringify(k)}}`);
    const rawBody = `{"name":"Odd keys","instructions":"x","tools":[{"type":"http","name":"lookup","description":"d","url":"https://tools.example/x","parameters":{"type":"object","properties":${properties}}}],"summarySchema":{"type":"object","properties":${properties}}}`;
    const created = await api.request('POST', '/v1/agents', { rawBody });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const read = await api.get(`/v1/agents/${created.body.agent.id}`);
    expect(read.status).toBe(200);
    for (const agent of [created.body.agent, read.body.agent]) {
      expect(ownEntries(agent.tools[0].parameters.properties).map(([k]) => k)).toEqual(SORTED_KEYS);
      expect(
        ownEntries(agent.summarySchema.properties).map(([, v]) => (v as { description: string }).description),
      ).toEqual(SORTED_KEYS);
    }
    const patched = await api.request('PATCH', `/v1/agents/${created.body.agent.id}`, {
      rawBody: `{"summarySchema":{"type":"object","properties":${objectText(['__proto__'], () => '{"type":"number"}')}}}`,
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(ownEntries(patched.body.agent.summarySchema.properties)).toEqual([
      ['__proto__', { type: 'number' }],
    ]);
  });

  it('keeps every odd metadata key on POST /v1/web-calls and POST /v1/calls', async () => {
    const metadata = objectText(ODD_KEYS, (k) => JSON.stringify(`v-${k}`));
    const expected = SORTED_KEYS.map((k) => [k, `v-${k}`]);
    const web = await api.request('POST', '/v1/web-calls', {
      rawBody: `{"agentId":"${agentId}","metadata":${metadata}}`,
    });
    expect(web.status, JSON.stringify(web.body)).toBe(201);
    const webCall = await api.get(`/v1/calls/${web.body.callId}`);
    expect(ownEntries(webCall.body.call.metadata)).toEqual(expected);

    const from = `+1415556${String(1000 + numberCounter++).padStart(4, '0')}`;
    expect(
      (await api.post('/v1/phone-numbers', { number: from, agentId, provider: 'asterisk' })).status,
    ).toBe(201);
    const placed = await api.request('POST', '/v1/calls', {
      rawBody: `{"agentId":"${agentId}","to":"+442071838799","from":"${from}","metadata":${metadata}}`,
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(202);
    expect(ownEntries(placed.body.call.metadata)).toEqual(expected);
    const call = await api.get(`/v1/calls/${placed.body.call.id}`);
    expect(ownEntries(call.body.call.metadata)).toEqual(expected);
  });
});

/** `{"a":{"a":…{"type":"string"}…}}` nested `levels` deep. */
const nested = (levels: number) =>
  `${'{"type":"object","properties":{"a":'.repeat(levels)}{"type":"string"}${'}}'.repeat(levels)}`;

describe('nesting and size limits name the field', () => {
  it.each([
    [
      'tools[].parameters',
      (deep: string) =>
        `{"name":"Deep","instructions":"x","tools":[{"type":"http","name":"t","description":"d","url":"https://tools.example/x","parameters":${deep}}]}`,
      'tools.0.parameters',
    ],
    [
      'summarySchema',
      (deep: string) => `{"name":"Deep","instructions":"x","summarySchema":${deep}}`,
      'summarySchema',
    ],
  ])('refuses %s nested past the limit with a 400, accepts it within', async (_name, body, path) => {
    for (const levels of [8, 16, 40]) {
      const res = await api.request('POST', '/v1/agents', { rawBody: body(nested(levels)) });
      expectError(res, 400, 'validation_error');
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path, message: expect.stringContaining('nested') }),
        ]),
      );
    }
    const ok = await api.request('POST', '/v1/agents', { rawBody: body(nested(7)) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('refuses a tool parameter schema over the size limit, naming it', async () => {
    const properties = objectText(
      Array.from({ length: 400 }, (_, i) => `p${i}`),
      () => '{"type":"string","description":"a field with a long enough description"}',
    );
    const res = await api.request('POST', '/v1/agents', {
      rawBody: `{"name":"Big","instructions":"x","tools":[{"type":"http","name":"t","description":"d","url":"https://tools.example/x","parameters":{"type":"object","properties":${properties}}}]}`,
    });
    expectError(res, 400, 'validation_error');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'tools.0.parameters', message: expect.stringContaining('KB') }),
      ]),
    );
  });

  it('refuses nested metadata values with a 400 naming the key', async () => {
    const res = await api.request('POST', '/v1/web-calls', {
      rawBody: `{"agentId":"${agentId}","metadata":{"deep":${nested(40)}}}`,
    });
    expectError(res, 400, 'validation_error');
    expect(JSON.stringify(res.body.error.details)).toContain('metadata.deep');
  });
});
