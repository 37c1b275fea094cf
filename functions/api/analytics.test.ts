import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildDay, rebuildMonth } from '#shared/analytics/rebuild-counters.ts';
import { patchCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { updateTenant } from '#shared/data/tenants.ts';
import { type FakeOpenAiRest, startFakeOpenAiRest } from '../../fakes/openai/rest-server.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { handler as meterUsage } from '../consumers/meter-usage.ts';
import { handler as summarize } from '../consumers/summarize-call.ts';
import { analyticsSnapshot, callEndedBatch, endedCallAt } from '../../test/functions/analytics-test-kit.ts';
import { type ApiClient, apiClient, expectError } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let openai: FakeOpenAiRest;
let owner: TestTenant;
let api: ApiClient;

const LA = 'America/Los_Angeles';

beforeAll(async () => {
  openai = await startFakeOpenAiRest();
  platform = await startTestPlatform({
    env: { OPENAI_BASE_URL: openai.baseUrl, OPENAI_API_KEY: openai.apiKey, CONSUMER_RETRY_BASE_SECONDS: '0' },
  });
  owner = await createTestTenant();
  await updateTenant(dbFromEnv(), owner.tenant.id, { timezone: LA });
  api = apiClient(platform.apiUrl, owner.apiKey);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  await openai?.close();
});

describe('analytics counters through the event path', () => {
  it('counts calls once in local days, with a summary before usage and redelivered events', async () => {
    const db = dbFromEnv();
    const t = owner.tenant.id;
    // 23:30 on 7 March in Los Angeles is 07:30 UTC on 8 March.
    const late = await endedCallAt(db, {
      tenantId: t,
      agentId: owner.agentId,
      at: '2026-03-08T07:30:00Z',
      seconds: 90,
      telemetry: {
        firstAgentAudioMs: 640,
        responseLatenciesMs: [700, 820],
        bargeInStopMs: [180],
        toolCalls: { book_table: 2 },
      },
    });
    const noon = await endedCallAt(db, {
      tenantId: t,
      agentId: owner.agentId,
      at: '2026-03-07T20:00:00Z',
      seconds: 30,
      telemetry: { firstAgentAudioMs: 1_300, responseLatenciesMs: [900] },
    });
    const missed = await endedCallAt(db, {
      tenantId: t,
      agentId: owner.agentId,
      at: '2026-03-07T21:00:00Z',
      seconds: 0,
    });

    // The summary of `late` lands before its usage; every event is then delivered twice.
    expect(await summarize(callEndedBatch(late))).toEqual({ batchItemFailures: [] });
    for (const call of [late, noon, missed]) {
      expect(await meterUsage(callEndedBatch(call))).toEqual({ batchItemFailures: [] });
      expect(await meterUsage(callEndedBatch(call, { attempt: 2 }))).toEqual({ batchItemFailures: [] });
    }
    expect(await summarize(callEndedBatch(late, { attempt: 2 }))).toEqual({ batchItemFailures: [] });
    expect(await summarize(callEndedBatch(noon))).toEqual({ batchItemFailures: [] });

    const local = await api.get('/v1/analytics/summary?from=2026-03-07&to=2026-03-07');
    expect(local.status).toBe(200);
    expect(local.headers.get('cache-control')).toBe('private, max-age=60');
    expect(local.body.range).toEqual({ from: '2026-03-07', to: '2026-03-07', timezone: LA });
    expect(local.body.totals).toMatchObject({ calls: 3, answered: 2, completed: 2, failed: 1 });
    expect(local.body.totals.failedByReason).toEqual({ caller_hangup: 1 });
    expect(local.body.durations).toMatchObject({ totalSeconds: 120, averageSeconds: 60 });
    expect(local.body.rates.answer).toBeCloseTo(2 / 3, 3);
    expect(local.body.qa).toMatchObject({ average: 88, scored: 2 });
    expect(local.body.qa.distribution[8]).toEqual({ from: 80, to: 89, count: 2 });
    expect(local.body.sentiment).toEqual({ positive: 2, neutral: 0, negative: 0, mixed: 0 });
    expect(local.body.volume).toMatchObject({
      toolCalls: 2,
      toolCallsByTool: { book_table: 2 },
      bargeIns: 1,
    });
    expect(local.body.latency.firstAudio.count).toBe(2);
    expect(local.body.latency.response.count).toBe(3);
    expect(local.body.latency.bucketError).toBeGreaterThan(0);

    // In UTC the late call belongs to 8 March (composed from UTC hours).
    const utc = await api.get('/v1/analytics/summary?from=2026-03-08&to=2026-03-08&timezone=UTC');
    expect(utc.body.totals.calls).toBe(1);
    const localNext = await api.get('/v1/analytics/summary?from=2026-03-08&to=2026-03-08');
    expect(localNext.body.totals.calls).toBe(0);

    // The ETag revalidates.
    const again = await api.get('/v1/analytics/summary?from=2026-03-07&to=2026-03-07', {
      headers: { 'if-none-match': String(local.headers.get('etag')) },
    });
    expect(again.status).toBe(304);

    // A rebuild from the stored calls gives exactly the buckets the events wrote.
    const live = await analyticsSnapshot(db, t);
    for (const day of ['2026-03-07', '2026-03-08']) await rebuildDay(db, t, day, { timeZone: LA });
    await rebuildMonth(db, t, '2026-03');
    expect(await analyticsSnapshot(db, t)).toEqual(live);
  });

  it('counts outbound calls an answering machine took as voicemails', async () => {
    const db = dbFromEnv();
    const t = owner.tenant.id;
    const machine = await endedCallAt(db, {
      tenantId: t,
      agentId: owner.agentId,
      at: '2026-05-12T17:00:00Z',
      seconds: 25,
    });
    const person = await endedCallAt(db, {
      tenantId: t,
      agentId: owner.agentId,
      at: '2026-05-12T18:00:00Z',
      seconds: 40,
    });
    await patchCall(db, t, machine.id, { endReason: 'voicemail' });
    for (const call of [machine, person]) {
      expect(await meterUsage(callEndedBatch(call))).toEqual({ batchItemFailures: [] });
    }
    const day = await api.get('/v1/analytics/summary?from=2026-05-12&to=2026-05-12');
    expect(day.status).toBe(200);
    expect(day.body.volume.voicemails).toBe(1);
    expect(day.body.volume.byEndReason).toMatchObject({ voicemail: 1 });
    const series = await api.get(
      '/v1/analytics/timeseries?metric=voicemails&granularity=day&from=2026-05-12&to=2026-05-12',
    );
    expect(series.status).toBe(200);
    expect(series.body.points).toEqual([{ start: '2026-05-12', value: 1 }]);
  });

  it('has 23 hours on the spring DST day and 25 on the autumn one', async () => {
    const spring = await api.get(
      '/v1/analytics/timeseries?metric=calls&granularity=hour&from=2026-03-08&to=2026-03-08',
    );
    expect(spring.status).toBe(200);
    expect(spring.body.points).toHaveLength(23);
    expect(spring.body.points[0]).toEqual({ start: '2026-03-08T08:00:00Z', value: 0 });
    const autumn = await api.get(
      '/v1/analytics/timeseries?metric=calls&granularity=hour&from=2026-11-01&to=2026-11-01',
    );
    expect(autumn.body.points).toHaveLength(25);
    const daily = await api.get(
      '/v1/analytics/timeseries?metric=calls&granularity=day&from=2026-03-06&to=2026-03-08',
    );
    expect(daily.body).toMatchObject({ metric: 'calls', granularity: 'day' });
    expect(daily.body.points).toEqual([
      { start: '2026-03-06', value: 0 },
      { start: '2026-03-07', value: 3 },
      { start: '2026-03-08', value: 0 },
    ]);
  });

  it('lists agents and the lowest-scored calls', async () => {
    const agents = await api.get('/v1/analytics/agents?from=2026-03-01&to=2026-03-31&sort=calls');
    expect(agents.status).toBe(200);
    expect(agents.body.agents).toEqual([
      expect.objectContaining({ agentId: owner.agentId, calls: 3, answered: 2, qaAverage: 88 }),
    ]);
    const qa = await api.get('/v1/analytics/qa?from=2026-03-01&to=2026-03-31&limit=5');
    expect(qa.status).toBe(200);
    expect(qa.body.lowest).toHaveLength(2);
    expect(qa.body.lowest[0]).toMatchObject({ score: 88, reasons: expect.any(Array) });
  });
});

describe('bad analytics input', () => {
  it.each([
    ['/v1/analytics/summary?from=2026-03-09&to=2026-03-01', 'from'],
    ['/v1/analytics/summary?from=2025-01-01&to=2026-03-01', 'to'],
    ['/v1/analytics/summary?timezone=Mars/Olympus', 'timezone'],
    ['/v1/analytics/summary?from=2026-02-30', 'from'],
    ['/v1/analytics/timeseries?metric=nope', 'metric'],
    ['/v1/analytics/timeseries?metric=calls&granularity=minute', 'granularity'],
    ['/v1/analytics/timeseries?metric=calls&granularity=hour&from=2026-01-01&to=2026-03-01', 'granularity'],
    ['/v1/analytics/agents?sort=height', 'sort'],
  ])('%s → 400 naming %s', async (path, field) => {
    const res = await api.get(path);
    expectError(res, 400, 'validation_error');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
  });
});
