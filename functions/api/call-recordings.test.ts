import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { storeRecordingFinished, storeRecordingStarted } from '#shared/recordings/recording-store.ts';
import { recordingKey } from '#shared/recordings/recording-types.ts';
import { wavMulawHeader } from '#shared/recordings/wav-header.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { type ApiClient, apiClient, expectError } from '../../test/functions/api-test-client.ts';
import { objectExists, testRecordingsBucket } from '../../test/recording/recording-s3.ts';

let platform: TestPlatform;
let owner: TestTenant;
let other: TestTenant;
let api: ApiClient;
let intruder: ApiClient;

beforeAll(async () => {
  platform = await startTestPlatform();
  owner = await createTestTenant();
  other = await createTestTenant();
  api = apiClient(platform.apiUrl, owner.apiKey);
  intruder = apiClient(platform.apiUrl, other.apiKey);
}, 60_000);
afterAll(() => platform?.stop());

/** One second of dual-channel silence as the recorder writes it. */
const WAV = Buffer.concat([wavMulawHeader(2, 16_000), Buffer.alloc(16_000, 0xff)]);

async function newCall(tenant = owner) {
  const { call } = await createCall(
    dbFromEnv(),
    {
      tenantId: tenant.tenant.id,
      agentId: tenant.agentId,
      direction: 'inbound',
      provider: 'twilio',
      from: '+14155550100',
      to: '+14155550199',
      status: 'completed',
    },
    { maxConcurrentCalls: 50 },
  );
  return call;
}

/** A call whose recording is being written (`finish: false`) or stored, as the media service leaves it. */
async function recordedCall(options: { finish?: boolean; expiresAt?: string } = {}) {
  const call = await newCall();
  const ref = { tenantId: call.tenantId, callId: call.id };
  const target = testRecordingsBucket();
  const key = recordingKey(call.tenantId, call.id);
  await storeRecordingStarted(dbFromEnv(), ref, {
    bucket: target.bucket,
    key,
    uploadId: 'upload-1',
    channels: 'dual',
    retentionDays: 30,
    startedAt: new Date().toISOString(),
  });
  if (options.finish !== false) {
    await target.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: WAV }));
    await storeRecordingFinished(dbFromEnv(), ref, 'upload-1', {
      status: 'ready',
      bytes: WAV.length,
      durationSeconds: 1,
      completedAt: new Date().toISOString(),
      expiresAt: options.expiresAt ?? new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
  }
  return { call, key };
}

describe('call recordings API', () => {
  it('GET gives a short-lived link that plays the WAV; the call shows its recording without storage details', async () => {
    const { call } = await recordedCall();
    const res = await api.get(`/v1/calls/${call.id}/recording`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ durationSeconds: 1, channels: 'dual', bytes: WAV.length });
    const ttl = Date.parse(res.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300_000);
    expect(res.body.url).toContain('X-Amz-Expires=300');
    const file = await fetch(res.body.url);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(WAV);

    const shown = await api.get(`/v1/calls/${call.id}`);
    expect(shown.body.call.recording).toMatchObject({
      status: 'ready',
      channels: 'dual',
      durationSeconds: 1,
    });
    expect(shown.body.call.recording).not.toHaveProperty('key');
    expect(shown.body.call.recording).not.toHaveProperty('uploadId');
  });

  it("another tenant's key gets 404 for the recording and cannot delete it", async () => {
    const { call, key } = await recordedCall();
    expectError(await intruder.get(`/v1/calls/${call.id}/recording`), 404, 'not_found');
    expectError(await intruder.delete(`/v1/calls/${call.id}/recording`), 404, 'not_found');
    expect(await objectExists(testRecordingsBucket(), key)).toBe(true);
  });

  it('DELETE removes the file at once, audit-logged; then GET and DELETE say it was deleted', async () => {
    const { call, key } = await recordedCall();
    const deleted = await api.delete(`/v1/calls/${call.id}/recording`);
    expect(deleted.status).toBe(204);
    expect(await objectExists(testRecordingsBucket(), key)).toBe(false);
    const gone = await api.get(`/v1/calls/${call.id}/recording`);
    expectError(gone, 404, 'not_found');
    expect(gone.body.error.details).toEqual({ reason: 'recording_deleted' });
    expectError(await api.delete(`/v1/calls/${call.id}/recording`), 404, 'not_found');
    expect((await api.get(`/v1/calls/${call.id}`)).body.call.recording.status).toBe('deleted');
    const audit = await api.get('/v1/audit-events');
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ action: 'call_recording.deleted', target: { type: 'call', id: call.id } }),
    );
  });

  it.each([
    { name: 'an unknown call', setup: async () => 'call_01M90000000000000000000000', reason: undefined },
    { name: 'a call that was not recorded', setup: async () => (await newCall()).id, reason: 'not_recorded' },
    {
      name: 'an expired recording',
      setup: async () =>
        (await recordedCall({ expiresAt: new Date(Date.now() - 1000).toISOString() })).call.id,
      reason: 'recording_expired',
    },
  ])('GET is 404 for $name', async ({ setup, reason }) => {
    const res = await api.get(`/v1/calls/${await setup()}/recording`);
    expectError(res, 404, 'not_found');
    if (reason) expect(res.body.error.details).toEqual({ reason });
  });

  it('GET and DELETE are 409 while the recording is still being written', async () => {
    const { call } = await recordedCall({ finish: false });
    for (const res of [
      await api.get(`/v1/calls/${call.id}/recording`),
      await api.delete(`/v1/calls/${call.id}/recording`),
    ]) {
      expectError(res, 409, 'conflict');
      expect(res.body.error.details).toEqual({ reason: 'recording_in_progress' });
    }
  });

  it('agents take recording settings, validated; bad ones are 400', async () => {
    const created = await api.post('/v1/agents', {
      name: 'Recorded',
      instructions: 'Be brief.',
      recording: { enabled: true, retentionDays: 90, disclosure: 'This call is recorded.' },
    });
    expect(created.status).toBe(201);
    expect(created.body.agent.recording).toEqual({
      enabled: true,
      channels: 'dual',
      retentionDays: 90,
      disclosure: 'This call is recorded.',
    });
    for (const recording of [
      { enabled: true, retentionDays: 31 },
      { enabled: 'yes' },
      { enabled: true, channels: 'quad' },
    ]) {
      expectError(
        await api.post('/v1/agents', { name: 'Bad', instructions: 'x', recording }),
        400,
        'validation_error',
      );
    }
    const patched = await api.patch(`/v1/agents/${created.body.agent.id}`, { recording: { enabled: false } });
    expect(patched.body.agent.recording).toEqual({ enabled: false, channels: 'dual', retentionDays: 30 });
    expectError(
      await api.post('/v1/calls', { agentId: created.body.agent.id, to: '+14155550123', recording: 'no' }),
      400,
      'validation_error',
    );
  });
});
