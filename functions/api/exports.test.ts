import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAgent, replaceAgent } from '#shared/data/agents.ts';
import { patchCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { updateTenant } from '#shared/data/tenants.ts';
import { parseCsv } from '#shared/exports/csv.ts';
import { createExportJob, getExportJob } from '#shared/exports/export-store.ts';
import { newId } from '#shared/ids/ids.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { handler as meterUsage } from '../consumers/meter-usage.ts';
import { startWebhookReceiver, waitFor } from '../../test/functions/post-call-test-kit.ts';
import { callEndedBatch, endedCallAt } from '../../test/functions/analytics-test-kit.ts';
import {
  type ApiClient,
  apiClient,
  expectError,
  receiveMessages,
} from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let owner: TestTenant;
let api: ApiClient;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  platform = await startTestPlatform({
    startPollers: true,
    queueVisibilitySeconds: 1,
    env: { CONSUMER_RETRY_BASE_SECONDS: '0', WEBHOOK_RETRY_SCHEDULE_SECONDS: '1' },
  });
  owner = await createTestTenant();
  await updateTenant(dbFromEnv(), owner.tenant.id, { webhookUrl: receiver.url });
  api = apiClient(platform.apiUrl, owner.apiKey);
  const rotated = await api.post('/v1/webhook-secret/rotate');
  receiver.setSecret(rotated.body.secret);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  await receiver?.close();
});

describe('exports', () => {
  it('streams the range into S3, round-trips as CSV and announces export.completed', async () => {
    const db = dbFromEnv();
    const agent = await getAgent(db, owner.tenant.id, owner.agentId);
    if (!agent) throw new Error('test agent missing');
    const { id: _id, tenantId: _t, createdAt: _c, updatedAt: _u, ...fields } = agent;
    await replaceAgent(db, agent, {
      ...fields,
      summarySchema: {
        type: 'object',
        properties: { rebooked: { type: 'boolean' } },
        required: ['rebooked'],
        additionalProperties: false,
      },
    });
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const call = await endedCallAt(db, {
        tenantId: owner.tenant.id,
        agentId: owner.agentId,
        at: `2026-05-0${1 + (i % 3)}T1${i % 10}:00:00Z`,
        seconds: i % 4 === 0 ? 0 : 30 + i,
        telemetry: { firstAgentAudioMs: 500 + i * 10, responseLatenciesMs: [700, 800 + i] },
      });
      await patchCall(db, owner.tenant.id, call.id, {
        summary: {
          summary:
            i === 0
              ? '=HYPERLINK("http://evil.example","click")'
              : `Caller asked, "question ${i}", agent answered.\nDone.`,
          sentiment: 'neutral',
          actionItems: ['Call back', '-1 follow-up'],
          qaScore: 50 + i,
          qaReasons: ['Polite'],
          data: { rebooked: i % 2 === 0 },
        },
      });
      expect(await meterUsage(callEndedBatch(call))).toEqual({ batchItemFailures: [] });
      ids.push(call.id);
    }
    const created = await api.post('/v1/exports', {
      type: 'calls',
      format: 'csv',
      from: '2026-05-01',
      to: '2026-05-03',
    });
    expect(created.status).toBe(202);
    expect(created.body.export).toMatchObject({ status: 'queued', rowsWritten: 0, percent: 0 });
    const id = created.body.export.id;
    const done = await waitFor('the export', async () => {
      const res = await api.get(`/v1/exports/${id}`);
      return res.body.export.status === 'completed' ? res.body.export : undefined;
    });
    expect(done).toMatchObject({ rowsWritten: 12, percent: 100, etaSeconds: 0 });
    expect(Date.parse(done.expiresAt)).toBeGreaterThan(Date.now());

    const file = await fetch(done.url);
    expect(file.status).toBe(200);
    const rows = parseCsv(await file.text());
    const [header, ...body] = rows as [string[], ...string[][]];
    expect(header).toContain('summary.qaScore');
    expect(header).toContain('data.rebooked');
    expect(body).toHaveLength(12);
    const col = (name: string) => header.indexOf(name);
    const byId = new Map(body.map((r) => [r[col('id')], r]));
    expect([...byId.keys()].sort()).toEqual([...ids].sort());
    for (const callId of ids.slice(0, 4)) {
      const shown = (await api.get(`/v1/calls/${callId}`)).body.call;
      const row = byId.get(callId) as string[];
      expect(row[col('status')]).toBe(shown.status);
      expect(row[col('createdAt')]).toBe(shown.createdAt);
      expect(Number(row[col('summary.qaScore')])).toBe(shown.summary.qaScore);
      if (!shown.summary.summary.startsWith('='))
        expect(row[col('summary.summary')]).toBe(shown.summary.summary);
    }
    // Spreadsheet formulas are neutralised; text with quotes and newlines survives RFC 4180 quoting.
    expect(byId.get(ids[0] as string)?.[col('summary.summary')]).toBe(
      `'=HYPERLINK("http://evil.example","click")`,
    );
    expect(byId.get(ids[0] as string)?.[col('data.rebooked')]).toBe('true');

    const hook = await waitFor('export.completed', async () =>
      receiver.received.find((r) => r.json.type === 'export.completed'),
    );
    expect(hook.verified).toBe(true);
    expect(hook.json.data).toMatchObject({ exportId: id, rowsWritten: 12, format: 'csv' });
  }, 180_000);

  it('fails a poisoned export into the DLQ instead of leaving it running', async () => {
    const db = dbFromEnv();
    const id = newId('export');
    await createExportJob(db, {
      id,
      tenantId: owner.tenant.id,
      dataset: 'calls',
      bucket: 'no-such-bucket-for-exports',
      format: 'csv',
      from: '2026-05-01',
      to: '2026-05-03',
      timezone: 'UTC',
      filters: {},
      status: 'queued',
      rowsWritten: 0,
      rowsExpected: 0,
      objectKey: `exports/${owner.tenant.id}/${id}/calls.csv`,
      createdAt: new Date().toISOString(),
    });
    const urls = queueUrlsFromEnv();
    const body = { schemaVersion: 1, type: 'export.run', tenantId: owner.tenant.id, exportId: id };
    await sqsFromEnv().send(
      new SendMessageCommand({ QueueUrl: urls.exports, MessageBody: JSON.stringify(body) }),
    );
    const failed = await waitFor('the export to fail', async () => {
      const job = await getExportJob(db, owner.tenant.id, id);
      return job?.status === 'failed' ? job : undefined;
    });
    expect(failed.error).toBeTruthy();
    const dead = await receiveMessages(
      sqsFromEnv(),
      platform.env.QUEUE_EXPORTS_DLQ_URL as string,
      (m) => m.exportId === id,
      10,
    );
    expect(dead).toHaveLength(1);
    const shown = await api.get(`/v1/exports/${id}`);
    expect(shown.body.export).toMatchObject({ status: 'failed', error: expect.any(String) });
  }, 60_000);

  it('rejects bad export requests by field', async () => {
    const bad = await api.post('/v1/exports', { type: 'calls', format: 'xlsx' });
    expectError(bad, 400, 'validation_error');
    expect(bad.body.error.details[0].path).toBe('format');
    const reversed = await api.post('/v1/exports', { type: 'calls', from: '2026-05-03', to: '2026-05-01' });
    expectError(reversed, 400, 'validation_error');
    expect(reversed.body.error.details[0].path).toBe('from');
    expectError(await api.get('/v1/exports/exp_nope'), 404, 'not_found');
  });
});
