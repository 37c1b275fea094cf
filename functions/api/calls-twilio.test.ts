import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallSchema } from '#shared/api/call-schemas.ts';
import { findCallByProviderId, getActiveCallCount, transitionCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { type FakeTwilioRest, startFakeTwilioRest } from '../../fakes/twilio/rest-server.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { type ApiClient, apiClient, expectError } from '../../test/functions/api-test-client.ts';

const FROM = '+14155550300';
const TO = '+14155550399';

let twilio: FakeTwilioRest;
let platform: TestPlatform;
let tenant: TestTenant;
let api: ApiClient;
beforeAll(async () => {
  twilio = await startFakeTwilioRest();
  platform = await startTestPlatform({
    env: {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      PUBLIC_API_URL: 'https://api.example.com',
    },
  });
  tenant = await createTestTenant({ maxConcurrentCalls: 50, requestsPerSecond: 1000 });
  api = apiClient(platform.apiUrl, tenant.apiKey);
  const number = await api.post('/v1/phone-numbers', {
    number: FROM,
    agentId: tenant.agentId,
    provider: 'twilio',
  });
  expect(number.status).toBe(201);
});
afterAll(async () => {
  await platform?.stop();
  await twilio?.close();
});

const place = (body: Record<string, unknown> = {}) =>
  api.post('/v1/calls', { agentId: tenant.agentId, to: TO, ...body });

describe('outbound Twilio calls', () => {
  it('dials through the Twilio REST API and links the CallSid', async () => {
    const res = await place({ metadata: { crmId: '42' } });
    expect(res.status).toBe(202);
    const call = CallSchema.parse(res.body.call);
    expect(call).toMatchObject({
      status: 'queued',
      direction: 'outbound',
      provider: 'twilio',
      from: FROM,
      to: TO,
      agentId: tenant.agentId,
      metadata: { crmId: '42' },
    });
    expect(call.providerCallId).toMatch(/^CA[0-9a-f]{32}$/);

    const request = await twilio.waitForRequest((r) => r.kind === 'create' && r.params.get('To') === TO);
    expect(request.authorized).toBe(true);
    expect(request.params.get('From')).toBe(FROM);
    expect(request.params.get('Url')).toBe(
      `https://api.example.com/webhooks/twilio/voice?callId=${call.id}&tenantId=${tenant.tenant.id}`,
    );
    expect(request.params.get('StatusCallback')).toBe('https://api.example.com/webhooks/twilio/status');
    expect(request.params.getAll('StatusCallbackEvent')).toEqual([
      'initiated',
      'ringing',
      'answered',
      'completed',
    ]);
    expect(request.params.get('TimeLimit')).toBe('600');

    const stored = await findCallByProviderId(dbFromEnv(), 'twilio', call.providerCallId as string);
    expect(stored?.id).toBe(call.id);
    const fetched = await api.get(`/v1/calls/${call.id}`);
    expect(fetched.body.call).toMatchObject({
      id: call.id,
      providerCallId: call.providerCallId,
      status: 'queued',
    });
  });

  it('asks for AMD only for agents with a voicemail setting; a bad machineDetection is a 400', async () => {
    const res = await place();
    // Twilio answered the create before the API answered 202: it is the last request.
    const plain = twilio.requests.at(-1);
    expect(plain?.kind).toBe('create');
    expect(res.status).toBe(202);
    expect(plain?.params.get('MachineDetection')).toBeNull();
    expect(res.body.call.machineDetection).toBeUndefined();

    const bad = await place({ machineDetection: 'no' });
    expectError(bad, 400, 'validation_error');
    expect(JSON.stringify(bad.body.error.details)).toContain('machineDetection');
  });

  it('recording: false turns a recording agent off for one call; true is refused for an agent that does not record', async () => {
    const slots = await getActiveCallCount(dbFromEnv(), tenant.tenant.id);
    const refused = await place({ recording: true });
    expectError(refused, 400, 'validation_error');
    expect(refused.body.error.details).toMatchObject({ reason: 'recording_not_enabled', field: 'recording' });
    // Refused before anything was stored or dialled: no slot taken.
    expect(await getActiveCallCount(dbFromEnv(), tenant.tenant.id)).toBe(slots);
    expectError(await place({ recording: 'yes' }), 400, 'validation_error');

    const recorder = await api.post('/v1/agents', {
      name: 'Recorder',
      instructions: 'Answer.',
      recording: { enabled: true, channels: 'dual', retentionDays: 30 },
    });
    expect(recorder.status).toBe(201);
    const agentId = recorder.body.agent.id;
    const asked = await place({ agentId, from: FROM, recording: true });
    expect(asked.status).toBe(202);
    expect(asked.body.call.recording?.status).not.toBe('off');
    const off = await place({ agentId, from: FROM, recording: false });
    expect(off.status).toBe(202);
    expect(off.body.call.recording).toMatchObject({ status: 'off' });
  });

  it('fails the call with a clear error when Twilio refuses it, and releases the slot', async () => {
    const db = dbFromEnv();
    const before = await getActiveCallCount(db, tenant.tenant.id);
    twilio.failNext({
      status: 400,
      code: 21215,
      message: 'Account not authorized to call +14155550399',
      kind: 'create',
    });
    const res = await place();
    expectError(res, 400, 'validation_error');
    expect(res.body.error.message).toContain('Account not authorized');
    expect(res.body.error.details).toMatchObject({ provider: 'twilio', twilioCode: 21215 });
    const callId = res.body.error.details.callId;
    const failed = await api.get(`/v1/calls/${callId}`);
    expect(failed.body.call).toMatchObject({ status: 'failed', endReason: 'provider_rejected' });
    expect(await getActiveCallCount(db, tenant.tenant.id)).toBe(before);
  });

  it("passes Twilio's own 429 on with Retry-After", async () => {
    twilio.failNext({ status: 429, code: 20429, message: 'Too Many Requests', kind: 'create' });
    const res = await place();
    expectError(res, 429, 'rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const failed = await api.get(`/v1/calls/${res.body.error.details.callId}`);
    expect(failed.body.call.status).toBe('failed');
  });

  it('answers 503 when Twilio is down, and the call ends as failed', async () => {
    twilio.failNext({ status: 503, code: 20503, message: 'Service unavailable', kind: 'create' });
    const res = await place();
    expectError(res, 503, 'unavailable');
    const failed = await api.get(`/v1/calls/${res.body.error.details.callId}`);
    expect(failed.body.call).toMatchObject({ status: 'failed', endReason: 'provider_unavailable' });
  });

  it('ends calls: canceled before answer, completed once in progress, 409 once ended', async () => {
    const ringing = (await place()).body.call;
    expect((await api.post(`/v1/calls/${ringing.id}/end`)).status).toBe(202);
    const cancel = await twilio.waitForRequest(
      (r) => r.kind === 'update' && r.callSid === ringing.providerCallId,
    );
    expect(cancel.params.get('Status')).toBe('canceled');

    const live = (await place()).body.call;
    twilio.setCallStatus(live.providerCallId, 'in-progress');
    await transitionCall(dbFromEnv(), tenant.tenant.id, live.id, 'in_progress', {
      answeredAt: new Date().toISOString(),
    });
    const ended = await api.post(`/v1/calls/${live.id}/end`);
    expect(ended.status).toBe(202);
    expect(ended.body.call.status).toBe('in_progress');
    const hangup = await twilio.waitForRequest(
      (r) => r.kind === 'update' && r.callSid === live.providerCallId,
    );
    expect(hangup.params.get('Status')).toBe('completed');

    // Twilio already hung up but its status callback has not arrived: still a 409, not a 5xx.
    expectError(await api.post(`/v1/calls/${live.id}/end`), 409, 'conflict');
    await transitionCall(dbFromEnv(), tenant.tenant.id, live.id, 'completed', {
      endedAt: new Date().toISOString(),
    });
    const again = await api.post(`/v1/calls/${live.id}/end`);
    expectError(again, 409, 'conflict');
    expect(again.body.error.details).toMatchObject({ reason: 'invalid_transition', from: 'completed' });
  });

  it('answers 503 when the platform has no Twilio credentials, and the call ends as failed', async () => {
    const saved = platform.env.TWILIO_AUTH_TOKEN as string;
    platform.reconfigure({ TWILIO_AUTH_TOKEN: undefined });
    try {
      const res = await place();
      expectError(res, 503, 'unavailable');
      expect(res.body.error.message).toContain('Twilio is not configured');
      const failed = await api.get(`/v1/calls/${res.body.error.details.callId}`);
      expect(failed.body.call.status).toBe('failed');
    } finally {
      platform.reconfigure({ TWILIO_AUTH_TOKEN: saved });
    }
  });

  it('only calls from numbers of the same tenant and provider', async () => {
    expectError(await place({ from: '+14155550999' }), 400, 'validation_error');
    const other = await createTestTenant();
    const otherApi = apiClient(platform.apiUrl, other.apiKey);
    await otherApi.post('/v1/phone-numbers', {
      number: '+14155550301',
      agentId: other.agentId,
      provider: 'twilio',
    });
    const foreign = await place({ from: '+14155550301' });
    expectError(foreign, 400, 'validation_error');
    expect(foreign.body.error.message).toBe((await place({ from: '+14155550999' })).body.error.message);
    expectError(await place({ from: FROM, provider: 'asterisk' }), 400, 'validation_error');
    expectError(await place({ provider: 'asterisk' }), 400, 'validation_error');
    const explicit = await place({ from: FROM, provider: 'twilio' });
    expect(explicit.status).toBe(202);
  });
});
