import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallSchema, EscalationSchema, NoteSchema, TranscriptSchema } from '#shared/api/call-schemas.ts';
import { createCall, patchCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { putTranscriptTurn } from '#shared/data/transcripts.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import {
  type ApiClient,
  apiClient,
  expectError,
  type Json,
  receiveMessages,
} from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let tenant: TestTenant;
let api: ApiClient;
let callId: string;
beforeAll(async () => {
  platform = await startTestPlatform();
  tenant = await createTestTenant();
  api = apiClient(platform.apiUrl, tenant.apiKey);
  callId = await newCall();
});
afterAll(async () => {
  await platform?.stop();
});

async function newCall(): Promise<string> {
  const { call } = await createCall(
    dbFromEnv(),
    {
      tenantId: tenant.tenant.id,
      agentId: tenant.agentId,
      direction: 'inbound',
      provider: 'twilio',
      from: '+14155550800',
      to: '+14155550801',
    },
    { maxConcurrentCalls: 100 },
  );
  return call.id;
}

describe('GET /v1/calls/{id}', () => {
  it('shows the latency telemetry the media service stored, and none before it has', async () => {
    const id = await newCall();
    const before = await api.get(`/v1/calls/${id}`);
    expect(before.status).toBe(200);
    expect(CallSchema.parse(before.body.call).telemetry).toBeUndefined();
    const telemetry = {
      firstAgentAudioMs: 412,
      responseLatenciesMs: [640, 702],
      bargeInStopMs: [38],
      modelReconnects: 0,
    };
    await patchCall(dbFromEnv(), tenant.tenant.id, id, { telemetry });
    const after = await api.get(`/v1/calls/${id}`);
    expect(CallSchema.parse(after.body.call).telemetry).toEqual(telemetry);
  });
});

describe('GET /v1/calls/{id}/transcript', () => {
  it('returns the stored turns in order, without internal fields', async () => {
    const id = await newCall();
    expect((await api.get(`/v1/calls/${id}/transcript`)).body).toEqual({ items: [], nextCursor: null });
    const db = dbFromEnv();
    const at = (s: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, s)).toISOString();
    await putTranscriptTurn(db, {
      callId: id,
      seq: 2,
      role: 'caller',
      text: 'I need to move my booking.',
      startedAt: at(3),
      endedAt: at(5),
      itemId: 'item_2',
    });
    await putTranscriptTurn(db, {
      callId: id,
      seq: 1,
      role: 'agent',
      text: 'Hello, Acme Dental.',
      startedAt: at(0),
      endedAt: at(2),
      itemId: 'item_1',
    });
    await putTranscriptTurn(db, {
      callId: id,
      seq: 3,
      role: 'agent',
      text: 'Sure, which day',
      startedAt: at(6),
      interrupted: true,
    });
    const res = await api.get(`/v1/calls/${id}/transcript`);
    expect(res.status).toBe(200);
    const transcript = TranscriptSchema.parse(res.body);
    expect(transcript.items.map((t) => t.seq)).toEqual([1, 2, 3]);
    expect(transcript.items[0]).toEqual({
      seq: 1,
      role: 'agent',
      text: 'Hello, Acme Dental.',
      startedAt: at(0),
      endedAt: at(2),
    });
    expect(transcript.items[2]).toMatchObject({ interrupted: true });
  });
});

describe('notes', () => {
  it('adds notes and lists them oldest first across pages', async () => {
    const texts = ['Called back', 'Left voicemail', 'Booked for Tuesday'];
    const created = [];
    for (const text of texts) {
      const res = await api.post(`/v1/calls/${callId}/notes`, { text, author: 'sam@acme.test' });
      expect(res.status).toBe(201);
      created.push(NoteSchema.parse(res.body.note));
    }
    expect(created[0]).toMatchObject({ callId, text: 'Called back', author: 'sam@acme.test' });
    expect(created[0]?.id).toMatch(/^note_/);
    const first = await api.get(`/v1/calls/${callId}/notes?limit=2`);
    const second = await api.get(
      `/v1/calls/${callId}/notes?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    const listed = [...first.body.items, ...second.body.items];
    expect(listed.map((n: { id: string }) => n.id)).toEqual(created.map((n) => n.id).sort());
    expect(second.body.nextCursor).toBeNull();
  });

  it('validates notes', async () => {
    expectError(await api.post(`/v1/calls/${callId}/notes`, {}), 400, 'validation_error');
    expectError(await api.post(`/v1/calls/${callId}/notes`, { text: '   ' }), 400, 'validation_error');
    expectError(
      await api.post(`/v1/calls/${callId}/notes`, { text: 'x'.repeat(10_001) }),
      400,
      'validation_error',
    );
    expectError(
      await api.post(`/v1/calls/${callId}/notes`, { text: 'x', pinned: true }),
      400,
      'validation_error',
    );
  });

  it('binds a notes cursor to its call', async () => {
    const other = await newCall();
    for (let i = 0; i < 2; i++) await api.post(`/v1/calls/${other}/notes`, { text: `n${i}` });
    const page = await api.get(`/v1/calls/${other}/notes?limit=1`);
    const res = await api.get(`/v1/calls/${callId}/notes?cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expectError(res, 400, 'validation_error');
  });
});

describe('escalations', () => {
  it('records an escalation and publishes call.escalated to the webhooks queue', async () => {
    const res = await api.post(`/v1/calls/${callId}/escalations`, {
      reason: 'Caller is upset about billing',
      priority: 'urgent',
    });
    expect(res.status).toBe(201);
    const escalation = EscalationSchema.parse(res.body.escalation);
    expect(escalation).toMatchObject({ callId, priority: 'urgent', reason: 'Caller is upset about billing' });
    expect(escalation.id).toMatch(/^esc_/);

    const sqs = createSqsClient({ endpoint: platform.env.SQS_ENDPOINT });
    try {
      const [event] = await receiveMessages(
        sqs,
        platform.env.QUEUE_WEBHOOKS_URL as string,
        (m: Json) => m.type === 'call.escalated' && m.escalationId === escalation.id,
      );
      expect(event).toMatchObject({
        schemaVersion: 1,
        tenantId: tenant.tenant.id,
        callId,
        agentId: tenant.agentId,
        priority: 'urgent',
        reason: 'Caller is upset about billing',
      });
    } finally {
      sqs.destroy();
    }

    const normal = await api.post(`/v1/calls/${callId}/escalations`, { reason: 'Wants a human' });
    expect(normal.body.escalation.priority).toBe('normal');
    const list = await api.get(`/v1/calls/${callId}/escalations?limit=1`);
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual([escalation.id]);
    const rest = await api.get(
      `/v1/calls/${callId}/escalations?cursor=${encodeURIComponent(list.body.nextCursor)}`,
    );
    expect(rest.body.items.map((e: { id: string }) => e.id)).toEqual([normal.body.escalation.id]);
  });

  it('keeps no escalation when call.escalated cannot be published, and says so (503)', async () => {
    const saved = platform.env.QUEUE_WEBHOOKS_URL as string;
    platform.reconfigure({ QUEUE_WEBHOOKS_URL: `${saved}-missing` });
    try {
      const id = await newCall();
      const res = await api.post(`/v1/calls/${id}/escalations`, { reason: 'Queue is down' });
      expectError(res, 503, 'unavailable');
      expect((await api.get(`/v1/calls/${id}/escalations`)).body.items).toEqual([]);
    } finally {
      platform.reconfigure({ QUEUE_WEBHOOKS_URL: saved });
    }
  });

  it('validates escalations', async () => {
    expectError(await api.post(`/v1/calls/${callId}/escalations`, {}), 400, 'validation_error');
    expectError(
      await api.post(`/v1/calls/${callId}/escalations`, { reason: 'x', priority: 'critical' }),
      400,
      'validation_error',
    );
  });

  it('answers 404 for unknown calls on every record route', async () => {
    const id = 'call_01JZZZZZZZZZZZZZZZZZZZZZZZ';
    expectError(await api.get(`/v1/calls/${id}/transcript`), 404, 'not_found');
    expectError(await api.get(`/v1/calls/${id}/notes`), 404, 'not_found');
    expectError(await api.post(`/v1/calls/${id}/notes`, { text: 'x' }), 404, 'not_found');
    expectError(await api.get(`/v1/calls/${id}/escalations`), 404, 'not_found');
    expectError(await api.post(`/v1/calls/${id}/escalations`, { reason: 'x' }), 404, 'not_found');
  });
});
