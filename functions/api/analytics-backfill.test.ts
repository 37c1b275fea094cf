import { randomUUID } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackfillJob } from '#shared/analytics/backfill-store.ts';
import { runBackfill } from '#shared/analytics/run-backfill.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { tenantPk } from '#shared/data/keys.ts';
import { updateTenant } from '#shared/data/tenants.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { type FakeOpenAiRest, startFakeOpenAiRest } from '../../fakes/openai/rest-server.ts';
import { analyticsSnapshot, callEndedBatch, endedCallAt } from '../../test/functions/analytics-test-kit.ts';
import {
  type ApiClient,
  apiClient,
  expectError,
  type Json,
  receiveMessages,
} from '../../test/functions/api-test-client.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { handler as runBackfillConsumer } from '../consumers/run-analytics-backfill.ts';
import { handler as meterUsage } from '../consumers/meter-usage.ts';
import { handler as summarize } from '../consumers/summarize-call.ts';

let platform: TestPlatform;
let openai: FakeOpenAiRest;
let owner: TestTenant;
let admin: ApiClient;

const LA = 'America/Los_Angeles';

beforeAll(async () => {
  openai = await startFakeOpenAiRest();
  platform = await startTestPlatform({
    env: { OPENAI_BASE_URL: openai.baseUrl, OPENAI_API_KEY: openai.apiKey, CONSUMER_RETRY_BASE_SECONDS: '0' },
  });
  owner = await createTestTenant();
  await updateTenant(dbFromEnv(), owner.tenant.id, { timezone: LA });
  admin = apiClient(platform.apiUrl, platform.secrets.ADMIN_API_KEY);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  await openai?.close();
});

/** The queued backfill message as the Lambda receives it. */
function backfillBatch(body: Json): SQSEvent {
  const batch = callEndedBatch({
    tenantId: owner.tenant.id,
    id: 'unused',
    agentId: owner.agentId,
    status: 'x',
  });
  const [record] = batch.Records;
  return {
    Records: [
      { ...(record as SQSEvent['Records'][number]), messageId: randomUUID(), body: JSON.stringify(body) },
    ],
  };
}

describe('analytics backfill (platform admin)', () => {
  it('rebuilds lost counters day by day through the queue, with progress, resuming where it stopped', async () => {
    const db = dbFromEnv();
    const t = owner.tenant.id;
    // Two local days in Los Angeles (the first call is 23:30 on 7 March there).
    const calls = [
      await endedCallAt(db, { tenantId: t, agentId: owner.agentId, at: '2026-03-08T07:30:00Z', seconds: 90 }),
      await endedCallAt(db, { tenantId: t, agentId: owner.agentId, at: '2026-03-07T20:00:00Z', seconds: 30 }),
      await endedCallAt(db, { tenantId: t, agentId: owner.agentId, at: '2026-03-08T20:00:00Z', seconds: 45 }),
    ];
    for (const call of calls) {
      expect(await meterUsage(callEndedBatch(call))).toEqual({ batchItemFailures: [] });
      expect(await summarize(callEndedBatch(call))).toEqual({ batchItemFailures: [] });
    }
    const live = await analyticsSnapshot(db, t);
    expect(Object.keys(live).length).toBeGreaterThan(0);

    // The counters are lost (as for a counter added after the calls): delete every bucket.
    for (const sk of Object.keys(live)) {
      await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: { pk: tenantPk(t), sk } }));
    }
    expect(await analyticsSnapshot(db, t)).toEqual({});

    const created = await admin.post('/v1/analytics/backfills', {
      tenantId: t,
      from: '2026-03-07',
      to: '2026-03-08',
    });
    expect(created.status).toBe(202);
    expect(created.body.backfill).toMatchObject({
      tenantId: t,
      from: '2026-03-07',
      to: '2026-03-08',
      timezone: LA,
      status: 'queued',
      daysDone: 0,
      daysTotal: 2,
      percent: 0,
    });
    const id = created.body.backfill.id as string;
    const [message] = await receiveMessages(
      sqsFromEnv(),
      String(queueUrlsFromEnv().backfills),
      (b) => b.backfillId === id,
    );
    expect(message).toMatchObject({ type: 'backfill.run', backfillId: id });

    // A worker that runs out of time after one day leaves the job running at its saved position.
    let clock = 0;
    const job = await getBackfillJob(db, id);
    const stopped = await runBackfill(db, job as NonNullable<typeof job>, {
      budgetMs: 1,
      now: () => (clock += 1),
    });
    expect(stopped).toMatchObject({ status: 'running', daysDone: 1, nextDay: '2026-03-08' });
    const halfway = await admin.get(`/v1/analytics/backfills/${id}`);
    expect(halfway.body.backfill).toMatchObject({
      status: 'running',
      daysDone: 1,
      callsCounted: 2,
      percent: 33,
    });

    // The queued message (redelivered) continues from there and finishes the job.
    expect(await runBackfillConsumer(backfillBatch(message))).toEqual({ batchItemFailures: [] });
    const done = await admin.get(`/v1/analytics/backfills/${id}`);
    expect(done.body.backfill).toMatchObject({
      status: 'completed',
      daysDone: 2,
      callsCounted: 3,
      percent: 100,
    });
    expect(typeof done.body.backfill.completedAt).toBe('string');
    expect(await analyticsSnapshot(db, t)).toEqual(live);

    // Delivered once more, a finished backfill does nothing.
    expect(await runBackfillConsumer(backfillBatch(message))).toEqual({ batchItemFailures: [] });
    expect(await analyticsSnapshot(db, t)).toEqual(live);
  });

  it('is for the platform admin only and rejects bad ranges by field', async () => {
    const tenantKey = apiClient(platform.apiUrl, owner.apiKey);
    const body = { tenantId: owner.tenant.id, from: '2026-03-01', to: '2026-03-02' };
    expect((await tenantKey.post('/v1/analytics/backfills', body)).status).toBe(401);
    const reversed = await admin.post('/v1/analytics/backfills', { ...body, from: '2026-03-05' });
    expectError(reversed, 400, 'validation_error');
    const unknown = await admin.post('/v1/analytics/backfills', { ...body, tenantId: 'ten_missing' });
    expectError(unknown, 404, 'not_found');
    expectError(await admin.get('/v1/analytics/backfills/bf_missing'), 404, 'not_found');
  });
});
