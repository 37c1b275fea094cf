import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageOf } from '#shared/api/common-schemas.ts';
import {
  DeliveryAttemptSchema,
  MonthUsageSchema,
  RotatedSecretSchema,
  UsageRecordSchema,
} from '#shared/billing/billing-api-schemas.ts';
import { callCost } from '#shared/billing/cost.ts';
import { priceTable } from '#shared/billing/price-table.ts';
import { listDayCounters } from '#shared/billing/usage-store.ts';
import { type Call, emptyUsage } from '#shared/calls/call-types.ts';
import { createAgent } from '#shared/data/agents.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { updateTenant } from '#shared/data/tenants.ts';
import { publishCallEvent, queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { signPayload } from '#shared/webhooks/signing.ts';
import {
  simulateEndedCall,
  startWebhookReceiver,
  waitFor,
  waitForQueuesDrained,
} from '../../test/functions/post-call-test-kit.ts';
import { startFakeOpenAiRest, type FakeOpenAiRest } from '../../fakes/openai/rest-server.ts';
import { type FakeStripe, startFakeStripe } from '../../fakes/stripe/server.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';

let platform: TestPlatform;
let openai: FakeOpenAiRest;
let stripe: FakeStripe;

beforeAll(async () => {
  [openai, stripe] = await Promise.all([startFakeOpenAiRest(), startFakeStripe()]);
  platform = await startTestPlatform({
    startPollers: true,
    queueVisibilitySeconds: 1,
    env: {
      OPENAI_BASE_URL: openai.baseUrl,
      OPENAI_API_KEY: openai.apiKey,
      STRIPE_API_BASE_URL: stripe.url,
      STRIPE_API_KEY: stripe.apiKey,
      CONSUMER_RETRY_BASE_SECONDS: '0',
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '1',
    },
  });
}, 60_000);
afterAll(async () => {
  await platform?.stop();
  await Promise.all([openai?.close(), stripe?.close()]);
});

async function get(path: string, key: string) {
  const res = await fetch(`${platform.apiUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

const TURNS: [role: 'caller' | 'agent', text: string][] = [
  ['agent', 'Hello, Riverside Plumbing, what can I do for you today?'],
  ['caller', 'My kitchen sink is leaking and I need someone this afternoon.'],
];

describe('GET /v1/usage', () => {
  let owner: TestTenant;
  let secondAgentId: string;

  beforeAll(async () => {
    owner = await createTestTenant();
    const second = await createAgent(dbFromEnv(), owner.tenant.id, {
      name: 'Second agent',
      instructions: 'Book plumbing visits.',
      voice: 'marin',
      tools: [],
      maxDurationSeconds: 600,
      idleTimeoutSeconds: 30,
    });
    secondAgentId = second.id;
  });

  it('shows correct totals and per-agent figures after a batch of calls, a redelivery included', async () => {
    const db = dbFromEnv();
    const month = new Date().toISOString().slice(0, 7);
    const specs = [
      {
        agentId: owner.agentId,
        seconds: 45,
        usage: { inputAudioTokens: 3_000, outputAudioTokens: 1_200, inputTextTokens: 500 },
      },
      {
        agentId: owner.agentId,
        seconds: 125.3,
        usage: {
          inputAudioTokens: 9_000,
          inputCachedAudioTokens: 4_000,
          inputCachedTokens: 4_000,
          outputAudioTokens: 5_000,
        },
      },
      { agentId: secondAgentId, seconds: 3, usage: { outputAudioTokens: 200, transcriptionSeconds: 3 } },
      { agentId: secondAgentId, seconds: 0, usage: {} },
    ];
    const calls: Call[] = [];
    for (const spec of specs) {
      calls.push(
        await simulateEndedCall(db, {
          tenantId: owner.tenant.id,
          ...spec,
          turns: spec.seconds > 0 ? TURNS : undefined,
        }),
      );
    }
    const published = [];
    for (const call of calls) {
      published.push(
        await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
          type: 'call.ended',
          tenantId: owner.tenant.id,
          callId: call.id,
          agentId: call.agentId,
          status: call.status,
        }),
      );
    }
    // A redelivery of the first event (same event id) and a second event for the same call.
    await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
      ...published[0],
      eventId: published[0]?.eventId,
    } as never);
    await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.ended',
      tenantId: owner.tenant.id,
      callId: calls[1]?.id as string,
      agentId: owner.agentId,
      status: 'completed',
    });
    await waitFor('every summary', async () => {
      const page = await get(`/v1/usage/calls?month=${month}&limit=100`, owner.apiKey);
      const done = page.body.items.filter((i: { summaryTokens: number }) => i.summaryTokens > 0).length;
      return page.body.items.length === 4 && done === 3 ? true : undefined;
    });
    await waitForQueuesDrained(sqsFromEnv(), [
      queueUrlsFromEnv().usage as string,
      queueUrlsFromEnv().summaries as string,
    ]);

    const table = priceTable();
    const billable = [48, 126, 6, 0];
    const expectedCharge =
      billable.reduce((sum, s) => sum + callCost(s, emptyUsage(), table).chargeMicros, 0) / 1e6;
    const res = await get(`/v1/usage?month=${month}`, owner.apiKey);
    expect(res.status).toBe(200);
    MonthUsageSchema.parse(res.body);
    expect(res.body.month).toBe(month);
    expect(res.body.totals).toMatchObject({
      calls: 4,
      connectedCalls: 3,
      billableSeconds: 48 + 126 + 6,
      realtimeTokens: {
        inputAudio: 12_000,
        cachedInputAudio: 4_000,
        cachedInput: 4_000,
        outputAudio: 6_400,
        inputText: 500,
      },
      transcription: { seconds: 3 },
      // Three conversations summarized by the model; the call that never connected has no transcript.
      summaryTokens: 3 * (openai.usage.inputTokens + openai.usage.outputTokens),
    });
    expect(res.body.totals.cost.amount).toBeCloseTo(expectedCharge, 6);
    expect(res.body.totals.cost.providerCost.total).toBeGreaterThan(0);
    const byAgent = Object.fromEntries(
      res.body.byAgent.map((a: { agentId: string; calls: number; billableSeconds: number }) => [
        a.agentId,
        [a.calls, a.billableSeconds],
      ]),
    );
    expect(byAgent).toEqual({ [owner.agentId]: [2, 174], [secondAgentId]: [2, 6] });
    expect(stripe.events.filter((e) => calls.some((c) => c.id === e.identifier))).toHaveLength(0); // no Stripe customer

    // Day counters (for trends) agree with the month, for the tenant and for one agent.
    const today = (calls[0] as Call).createdAt.slice(0, 10);
    const days = await listDayCounters(db, owner.tenant.id, { fromDay: today, toDay: today });
    expect(days.map((d) => [d.day, d.counters.calls, d.counters.billableSeconds])).toEqual([[today, 4, 180]]);
    const agentDays = await listDayCounters(db, owner.tenant.id, {
      fromDay: today,
      toDay: today,
      agentId: secondAgentId,
    });
    expect(agentDays.map((d) => [d.day, d.counters.calls, d.counters['status#failed']])).toEqual([
      [today, 2, 1],
    ]);
  }, 60_000);

  it('pages the per-call records with signed cursors', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const first = await get(`/v1/usage/calls?month=${month}&limit=3`, owner.apiKey);
    pageOf(UsageRecordSchema).parse(first.body);
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(
      `/v1/usage/calls?month=${month}&limit=3&cursor=${first.body.nextCursor}`,
      owner.apiKey,
    );
    expect(second.body.items).toHaveLength(1);
    const ids = [...first.body.items, ...second.body.items].map((i: { callId: string }) => i.callId);
    expect(new Set(ids).size).toBe(4);
    const tampered = await get(
      `/v1/usage/calls?month=${month}&cursor=${first.body.nextCursor}x`,
      owner.apiKey,
    );
    expect(tampered.status).toBe(400);
  });

  it('keeps tenants apart and rejects a malformed month', async () => {
    const other = await createTestTenant();
    const month = new Date().toISOString().slice(0, 7);
    const res = await get(`/v1/usage?month=${month}`, other.apiKey);
    expect(res.body.totals.calls).toBe(0);
    expect(res.body.byAgent).toEqual([]);
    expect((await get(`/v1/usage/calls?month=${month}`, other.apiKey)).body.items).toEqual([]);
    const bad = await get('/v1/usage?month=2026-13', owner.apiKey);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_error');
  });
});

describe('webhook secret rotation', () => {
  it('returns a new secret once and signs with both secrets during the grace period', async () => {
    const owner = await createTestTenant();
    const receiver = await startWebhookReceiver();
    try {
      await updateTenant(dbFromEnv(), owner.tenant.id, { webhookUrl: receiver.url });
      const rotate = () =>
        fetch(`${platform.apiUrl}/v1/webhook-secret/rotate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${owner.apiKey}` },
        }).then(async (r) => ({ status: r.status, headers: r.headers, body: await r.json() }));
      const first = await rotate();
      expect(first.status).toBe(201);
      RotatedSecretSchema.parse(first.body);
      expect(first.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(first.body.previousSecretExpiresAt).toBeNull();
      expect(first.headers.get('cache-control')).toBe('no-store');
      const second = await rotate();
      expect(second.body.secret).not.toBe(first.body.secret);
      expect(Date.parse(second.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);

      receiver.setSecret(first.body.secret);
      const started = await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
        type: 'call.started',
        tenantId: owner.tenant.id,
        callId: 'call_01TESTROTATION000000000000',
        agentId: owner.agentId,
        provider: 'web',
        direction: 'inbound',
      });
      const hook = await waitFor('the webhook', async () => receiver.received[0]);
      expect(hook.verified).toBe(true); // the previous secret still verifies
      const signatures = String(hook.headers['webhook-signature']).split(' ');
      const timestamp = Number(hook.headers['webhook-timestamp']);
      expect(signatures).toEqual([
        signPayload(second.body.secret, started.eventId, timestamp, hook.body),
        signPayload(first.body.secret, started.eventId, timestamp, hook.body),
      ]);
      expect(hook.json).toMatchObject({
        type: 'call.started',
        data: { callId: 'call_01TESTROTATION000000000000' },
      });
    } finally {
      await receiver.close();
    }
  }, 30_000);
});

describe('webhook targets', () => {
  it('refuses to deliver to a non-public address outside local development, and shows why', async () => {
    const owner = await createTestTenant();
    const receiver = await startWebhookReceiver();
    platform.reconfigure({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
    try {
      await updateTenant(dbFromEnv(), owner.tenant.id, { webhookUrl: receiver.url });
      const started = await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
        type: 'call.started',
        tenantId: owner.tenant.id,
        callId: 'call_01TESTBLOCKED00000000000000',
        agentId: owner.agentId,
        provider: 'web',
        direction: 'outbound',
      });
      const attempts = await waitFor('the refused attempt', async () => {
        const res = await get(`/v1/webhook-deliveries?eventId=${started.eventId}`, owner.apiKey);
        return res.body.items.length > 0 ? pageOf(DeliveryAttemptSchema).parse(res.body).items : undefined;
      });
      expect(attempts).toEqual([
        expect.objectContaining({
          status: 'blocked',
          error: 'private_address',
          attempt: 1,
          httpStatus: null,
        }),
      ]);
      await waitForQueuesDrained(sqsFromEnv(), [queueUrlsFromEnv().webhooks as string]);
      expect(receiver.received).toEqual([]);
    } finally {
      platform.reconfigure({ WEBHOOK_ALLOW_PRIVATE_TARGETS: undefined });
      await receiver.close();
    }
  }, 30_000);
});
