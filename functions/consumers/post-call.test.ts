import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceTable } from '#shared/billing/price-table.ts';
import { getAgent, replaceAgent } from '#shared/data/agents.ts';
import { getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { updateTenant } from '#shared/data/tenants.ts';
import { publishCallEvent, queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import {
  DEFAULT_MODEL_SUMMARY,
  type FakeOpenAiRest,
  startFakeOpenAiRest,
} from '../../fakes/openai/rest-server.ts';
import { type FakeStripe, startFakeStripe } from '../../fakes/stripe/server.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import {
  simulateEndedCall,
  startWebhookReceiver,
  waitFor,
  waitForQueuesDrained,
} from '../../test/functions/post-call-test-kit.ts';

let platform: TestPlatform;
let openai: FakeOpenAiRest;
let stripe: FakeStripe;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let owner: TestTenant;
let webhookSecret: string;

const CONVERSATION: [role: 'caller' | 'agent', text: string][] = [
  ['agent', 'Good morning, Bright Smile Dental, how can I help?'],
  ['caller', 'Hi, I need to move my appointment from Monday to Friday morning.'],
  ['agent', 'Done: you are booked for Friday at 10:00.'],
];

async function api(path: string, init: { method?: string; key?: string } = {}) {
  const res = await fetch(`${platform.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.key ?? owner.apiKey}` },
  });
  return { status: res.status, body: await res.json() };
}

function allQueues() {
  const urls = queueUrlsFromEnv();
  return [urls.summaries, urls.usage, urls.webhooks].filter((u): u is string => Boolean(u));
}

beforeAll(async () => {
  [openai, stripe, receiver] = await Promise.all([
    startFakeOpenAiRest(),
    startFakeStripe(),
    startWebhookReceiver(),
  ]);
  platform = await startTestPlatform({
    startPollers: true,
    queueVisibilitySeconds: 1,
    env: {
      OPENAI_BASE_URL: openai.baseUrl,
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_SUMMARY_MODEL: 'gpt-5-mini',
      STRIPE_API_BASE_URL: stripe.url,
      STRIPE_API_KEY: stripe.apiKey,
      CONSUMER_RETRY_BASE_SECONDS: '0',
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '1',
    },
  });
  owner = await createTestTenant();
  await updateTenant(dbFromEnv(), owner.tenant.id, {
    stripeCustomerId: 'cus_owner',
    webhookUrl: receiver.url,
  });
  const rotated = await api('/v1/webhook-secret/rotate', { method: 'POST' });
  expect(rotated.status).toBe(201);
  webhookSecret = rotated.body.secret;
  receiver.setSecret(webhookSecret);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  await Promise.all([openai?.close(), stripe?.close(), receiver?.close()]);
});

describe('after a call ends', () => {
  it('stores the summary, meters usage, reports to Stripe and delivers signed webhooks', async () => {
    const db = dbFromEnv();
    const agent = await getAgent(db, owner.tenant.id, owner.agentId);
    if (!agent) throw new Error('test agent missing');
    const { id: _id, tenantId: _t, createdAt: _c, updatedAt: _u, ...fields } = agent;
    await replaceAgent(db, agent, {
      ...fields,
      summarySchema: {
        type: 'object',
        properties: { newDay: { type: 'string' }, rebooked: { type: 'boolean' } },
        required: ['newDay', 'rebooked'],
        additionalProperties: false,
      },
    });
    openai.respondWith(() => ({ ...DEFAULT_MODEL_SUMMARY, data: { newDay: 'friday', rebooked: true } }));
    receiver.respondWith(500); // the first delivery fails and is retried
    const call = await simulateEndedCall(db, {
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      seconds: 64.5,
      usage: {
        responses: 3,
        inputAudioTokens: 4_000,
        outputAudioTokens: 2_500,
        inputTextTokens: 900,
        transcriptionSeconds: 40,
      },
      turns: CONVERSATION,
    });
    const ended = await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.ended',
      tenantId: owner.tenant.id,
      callId: call.id,
      agentId: owner.agentId,
      status: 'completed',
      durationSeconds: 64.5,
    });

    // Summary: stored on the call, visible through GET /v1/calls/{id}, extraction validated.
    const summarized = await waitFor(
      'the summary',
      async () => (await getCall(db, owner.tenant.id, call.id))?.summary,
    );
    expect(summarized).toEqual({ ...DEFAULT_MODEL_SUMMARY, data: { newDay: 'friday', rebooked: true } });
    const shown = await api(`/v1/calls/${call.id}`);
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.body)).toContain('"qaScore":88');
    const request = openai.requests.at(-1);
    expect(request?.authorized).toBe(true);
    expect(request?.body).toMatchObject({
      model: 'gpt-5-mini',
      text: { format: { type: 'json_schema', strict: true } },
    });
    expect(String(request?.body.input)).toContain('Caller: Hi, I need to move my appointment');

    // Stripe: one meter event, identifier = call id, billable seconds rounded up to 6 s steps.
    const meter = await stripe.waitForEvent((e) => e.identifier === call.id);
    expect(meter).toMatchObject({
      eventName: 'ai_caller_call_seconds',
      stripeCustomerId: 'cus_owner',
      value: '66',
    });
    const meterRequest = stripe.requests.find((r) => r.params.get('identifier') === call.id);
    expect(meterRequest?.authorized).toBe(true);
    expect(meterRequest?.contentType).toContain('application/x-www-form-urlencoded');

    // Webhooks: call.ended (after one failed attempt) and call.summarized, both signed.
    const hooks = await waitFor('both webhooks', async () => {
      const delivered = receiver.received.filter(
        (r) => (r.json.data as { callId?: string }).callId === call.id,
      );
      const types = new Set(delivered.map((r) => r.json.type));
      return types.has('call.ended') && types.has('call.summarized') && delivered.length >= 3
        ? delivered
        : undefined;
    });
    expect(hooks.every((h) => h.verified)).toBe(true);
    const endedHooks = hooks.filter((h) => h.json.type === 'call.ended');
    expect(endedHooks).toHaveLength(2);
    expect(endedHooks.map((h) => h.headers['webhook-id'])).toEqual([ended.eventId, ended.eventId]);
    const summaryHook = hooks.find((h) => h.json.type === 'call.summarized');
    expect(summaryHook?.json.data.call).toMatchObject({ summary: { qaScore: 88 } });

    await waitForQueuesDrained(sqsFromEnv(), allQueues());
    const usage = await api(`/v1/usage/calls?month=${call.createdAt.slice(0, 7)}`);
    expect(usage.status).toBe(200);
    const record = usage.body.items.find((item: { callId: string }) => item.callId === call.id);
    expect(record).toMatchObject({
      billableSeconds: 66,
      connectedSeconds: 64.5,
      realtimeTokens: { inputAudio: 4_000, outputAudio: 2_500, inputText: 900 },
      transcription: { seconds: 40 },
      summaryTokens: openai.usage.inputTokens + openai.usage.outputTokens,
      stripe: { status: 'reported' },
    });
    expect(record.cost.amount).toBeCloseTo((66 / 60) * priceTable().perMinuteUsd, 6);

    const deliveries = await api(`/v1/webhook-deliveries?eventId=${ended.eventId}`);
    expect(
      deliveries.body.items.map((d: { status: string; attempt: number }) => [d.status, d.attempt]),
    ).toEqual([
      ['delivered', 2],
      ['failed', 1],
    ]);
    expect(deliveries.body.items[1]).toMatchObject({ httpStatus: 500, url: receiver.url });
  }, 60_000);

  it('counts a redelivered call.ended once and publishes call.summarized once', async () => {
    const db = dbFromEnv();
    const call = await simulateEndedCall(db, {
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      seconds: 30,
      turns: CONVERSATION,
    });
    const input = {
      type: 'call.ended' as const,
      tenantId: owner.tenant.id,
      callId: call.id,
      agentId: owner.agentId,
      status: 'completed',
      eventId: `evt_dup_${call.id}`,
    };
    const modelCallsBefore = openai.requests.length;
    await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), input);
    await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), input);
    await waitFor('the summary', async () => (await getCall(db, owner.tenant.id, call.id))?.summary);
    await waitForQueuesDrained(sqsFromEnv(), allQueues());

    expect(stripe.events.filter((e) => e.identifier === call.id)).toHaveLength(1);
    const forCall = receiver.received.filter((r) => (r.json.data as { callId?: string }).callId === call.id);
    expect(forCall.filter((r) => r.json.type === 'call.ended')).toHaveLength(1);
    expect(forCall.filter((r) => r.json.type === 'call.summarized')).toHaveLength(1);
    expect(openai.requests.length - modelCallsBefore).toBeLessThanOrEqual(2);
    const usage = await api(`/v1/usage/calls?month=${call.createdAt.slice(0, 7)}&limit=100`);
    expect(usage.body.items.filter((i: { callId: string }) => i.callId === call.id)).toHaveLength(1);
  }, 60_000);

  it('summarizes a call without conversation without calling the model', async () => {
    const db = dbFromEnv();
    const before = openai.requests.length;
    const call = await simulateEndedCall(db, {
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      seconds: 0,
    });
    await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.ended',
      tenantId: owner.tenant.id,
      callId: call.id,
      agentId: owner.agentId,
      status: 'failed',
    });
    const summary = await waitFor(
      'the summary',
      async () => (await getCall(db, owner.tenant.id, call.id))?.summary,
    );
    expect(summary.summary).toMatch(/no transcript/);
    await waitForQueuesDrained(sqsFromEnv(), allQueues());
    expect(openai.requests.length).toBe(before);
    expect(stripe.events.some((e) => e.identifier === call.id)).toBe(false);
  }, 60_000);

  it('sends a summary to the DLQ after the configured attempts when the model keeps failing', async () => {
    const db = dbFromEnv();
    const marker = 'Please note reference FAILMODEL-7.';
    openai.failNext({
      status: 500,
      count: Number.POSITIVE_INFINITY,
      match: (b) => String(b.input).includes(marker),
    });
    const call = await simulateEndedCall(db, {
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      seconds: 20,
      turns: [...CONVERSATION, ['caller', marker]],
    });
    await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.ended',
      tenantId: owner.tenant.id,
      callId: call.id,
      agentId: owner.agentId,
      status: 'completed',
    });
    const dlqUrl = platform.env.QUEUE_SUMMARIES_DLQ_URL as string;
    const dead = await waitFor(
      'the dead-lettered message',
      async () => {
        const out = await sqsFromEnv().send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }),
        );
        return out.Messages?.find((m) => m.Body?.includes(call.id));
      },
      40_000,
    );
    expect(JSON.parse(dead.Body ?? '{}')).toMatchObject({ type: 'call.ended', callId: call.id });
    const attempts = openai.requests.filter((r) => String(r.body.input).includes(marker));
    expect(attempts).toHaveLength(5); // the summaries queue's maxReceiveCount
    expect(attempts.every((r) => r.status === 500)).toBe(true);
    expect((await getCall(db, owner.tenant.id, call.id))?.summary).toBeUndefined();
  }, 60_000);

  it('sends a non-retryable model error to the DLQ at once', async () => {
    const db = dbFromEnv();
    const marker = 'Reference BADREQUEST-9 please.';
    openai.failNext({
      status: 400,
      count: Number.POSITIVE_INFINITY,
      match: (b) => String(b.input).includes(marker),
    });
    const call = await simulateEndedCall(db, {
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      seconds: 20,
      turns: [...CONVERSATION, ['caller', marker]],
    });
    await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.ended',
      tenantId: owner.tenant.id,
      callId: call.id,
      agentId: owner.agentId,
      status: 'completed',
    });
    const dlqUrl = platform.env.QUEUE_SUMMARIES_DLQ_URL as string;
    await waitFor('the dead-lettered message', async () => {
      const out = await sqsFromEnv().send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }),
      );
      return out.Messages?.find((m) => m.Body?.includes(call.id));
    });
    expect(openai.requests.filter((r) => String(r.body.input).includes(marker))).toHaveLength(1);
  }, 60_000);

  it('retries Stripe after a server error and still reports the call once', async () => {
    const db = dbFromEnv();
    const call = await simulateEndedCall(db, {
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      seconds: 12,
    });
    stripe.failNext({ status: 500, count: 1, match: (params) => params.get('identifier') === call.id });
    await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.ended',
      tenantId: owner.tenant.id,
      callId: call.id,
      agentId: owner.agentId,
      status: 'completed',
    });
    const meter = await stripe.waitForEvent((e) => e.identifier === call.id);
    expect(meter.value).toBe('12');
    await waitForQueuesDrained(sqsFromEnv(), allQueues());
    const statuses = stripe.requests
      .filter((r) => r.params.get('identifier') === call.id)
      .map((r) => r.status);
    expect(statuses).toEqual([500, 200]);
    expect(stripe.events.filter((e) => e.identifier === call.id)).toHaveLength(1);
  }, 60_000);

  it('moves a poison message to the DLQ without holding back the rest of the batch', async () => {
    const db = dbFromEnv();
    const call = await simulateEndedCall(db, {
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      seconds: 7,
    });
    const usageQueue = queueUrlsFromEnv().usage as string;
    await sqsFromEnv().send(
      new SendMessageCommand({ QueueUrl: usageQueue, MessageBody: '{"type":"call.ended","broken":' }),
    );
    await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.ended',
      tenantId: owner.tenant.id,
      callId: call.id,
      agentId: owner.agentId,
      status: 'completed',
    });
    await stripe.waitForEvent((e) => e.identifier === call.id);
    const dlqUrl = platform.env.QUEUE_USAGE_DLQ_URL as string;
    const dead = await waitFor('the poison message in the DLQ', async () => {
      const out = await sqsFromEnv().send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
      );
      return out.Messages?.find((m) => m.Body?.includes('"broken"'));
    });
    expect(dead.MessageAttributes?.deadLetterReason?.StringValue).toBe('invalid_message');
  }, 60_000);
});
