import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, expect } from 'vitest';
import { dispatchCampaigns } from '#shared/campaigns/dispatcher.ts';
import type { CallStatus } from '#shared/calls/call-status.ts';
import { endUnconnectedCall } from '#shared/calls/end-unconnected-call.ts';
import { getCall, transitionCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import { handler as dialHandler } from '../../functions/consumers/dial-campaign-contact.ts';
import { handler as outcomeHandler } from '../../functions/consumers/record-campaign-outcome.ts';
import { toRecord } from '../../infra/local/queue-poller.ts';
import { type ApiClient, apiClient, type Json } from '../functions/api-test-client.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../platform.ts';

/** Test-only helpers for campaigns: tenants with a number, the dispatcher, dial commands, outcomes. */

const logger = createLogger({ level: 'error' });
let numberCounter = 0;

/** A tenant with an Asterisk number mapped to its agent (Asterisk dials need no provider fake). */
export async function campaignTenant(platform: TestPlatform, maxConcurrentCalls = 50) {
  const tenant = await createTestTenant({ maxConcurrentCalls, requestsPerSecond: 1000 });
  const api = apiClient(platform.apiUrl, tenant.apiKey);
  const from = `+1628555${String(1000 + (numberCounter++ % 9000)).padStart(4, '0')}`;
  const res = await api.post('/v1/phone-numbers', {
    number: from,
    agentId: tenant.agentId,
    provider: 'asterisk',
  });
  expect(res.status).toBe(201);
  return { ...tenant, api, from };
}

/** A window open all day every day, so dial-time checks pass whenever the test runs. */
export const ALWAYS_OPEN = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  start: '00:00',
  end: '23:59',
} as const;

export async function createCampaign(api: ApiClient, body: Record<string, unknown>): Promise<Json> {
  const res = await api.post('/v1/campaigns', { name: 'Reminders', callingWindow: ALWAYS_OPEN, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.campaign;
}

export function runDispatcher(now?: Date) {
  return dispatchCampaigns({
    db: dbFromEnv(),
    sqs: sqsClientOf(),
    queueUrls: queueUrlsFromEnv(),
    logger,
    ...(now ? { now: () => now } : {}),
  });
}

let sqsRef: SQSClient | undefined;
export function useSqs(sqs: SQSClient) {
  sqsRef = sqs;
}

/**
 * A test platform for a campaign test file: started before its tests, with the SQS client the
 * queue helpers here use, and stopped after them. Returns the running platform.
 */
export function useCampaignPlatform(): () => TestPlatform {
  let platform: TestPlatform | undefined;
  let sqs: SQSClient | undefined;
  beforeAll(async () => {
    platform = await startTestPlatform();
    sqs = createSqsClient({ endpoint: platform.env.SQS_ENDPOINT });
    useSqs(sqs);
  });
  afterAll(async () => {
    sqs?.destroy();
    await platform?.stop();
  });
  return () => {
    if (!platform) throw new Error('campaign platform not started');
    return platform;
  };
}
function sqsClientOf(): SQSClient {
  if (!sqsRef) throw new Error('call useSqs first');
  return sqsRef;
}

/** Takes every message off a queue (received and deleted), in arrival order as far as SQS keeps it. */
export async function drainQueue(url: string): Promise<SQSEvent['Records']> {
  const sqs = sqsClientOf();
  const records: SQSEvent['Records'] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return records;
    records.push(...messages.map((m) => toRecord(m, 'arn:aws:sqs:us-east-1:000000000000:test')));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

/** Runs the dial consumer on every queued dial command; `copies` delivers each that many times at once. */
export async function deliverDialCommands(copies = 1): Promise<Json[]> {
  const records = await drainQueue(queueUrlsFromEnv().campaignDials as string);
  const deliveries = records.flatMap((record) =>
    Array.from({ length: copies }, (_, i) => ({ ...record, messageId: `${record.messageId}-${i}` })),
  );
  await Promise.all(deliveries.map((record) => dialHandler({ Records: [record] })));
  return records.map((r) => JSON.parse(r.body));
}

/** Ends a campaign call as its provider would report it, and delivers `call.ended` to the outcome consumer. */
export async function finishCall(
  tenantId: string,
  callId: string,
  outcome: {
    status: Extract<CallStatus, 'completed' | 'busy' | 'no_answer' | 'failed'>;
    endReason: string;
    answered?: boolean;
  },
  copies = 1,
): Promise<void> {
  const db = dbFromEnv();
  const call = await getCall(db, tenantId, callId);
  if (!call) throw new Error(`no call ${callId}`);
  if (outcome.answered) {
    await transitionCall(db, tenantId, callId, 'in_progress', { answeredAt: new Date().toISOString() });
    await deliverCallEvent({
      type: 'call.started',
      tenantId,
      callId,
      agentId: call.agentId,
      provider: call.provider,
      direction: 'outbound',
    });
    await transitionCall(db, tenantId, callId, outcome.status, {
      endedAt: new Date().toISOString(),
      endReason: outcome.endReason,
      durationSeconds: 30,
    });
  } else {
    await endUnconnectedCall(
      { db, sqs: sqsClientOf(), queueUrls: {}, logger },
      call,
      outcome.status,
      outcome.endReason,
    );
  }
  for (let i = 0; i < copies; i++) {
    await deliverCallEvent({
      type: 'call.ended',
      tenantId,
      callId,
      agentId: call.agentId,
      status: outcome.status,
      endReason: outcome.endReason,
    });
  }
}

let eventCounter = 0;
async function deliverCallEvent(event: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({
    schemaVersion: 1,
    eventId: `evt_test_${eventCounter++}`,
    occurredAt: new Date().toISOString(),
    ...event,
  });
  const result = await outcomeHandler({
    Records: [
      toRecord(
        { MessageId: `m-${eventCounter}`, ReceiptHandle: 'r', Body: body, Attributes: {} },
        'arn:aws:sqs:us-east-1:000000000000:outcomes',
      ),
    ],
  });
  expect(result.batchItemFailures).toEqual([]);
}

/** Every contact of a campaign by number (pages through the API). */
export async function contactsByNumber(
  api: ApiClient,
  campaignId: string,
  state?: string,
): Promise<Map<string, Json>> {
  const found = new Map<string, Json>();
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({
      limit: '100',
      ...(state ? { state } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const res = await api.get(`/v1/campaigns/${campaignId}/contacts?${query}`);
    expect(res.status).toBe(200);
    for (const contact of res.body.items) found.set(contact.number, contact);
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return found;
}

export async function countsOf(api: ApiClient, campaignId: string): Promise<Json> {
  const res = await api.get(`/v1/campaigns/${campaignId}`);
  expect(res.status).toBe(200);
  return res.body.campaign.counts;
}

/** `n` consecutive London numbers starting at suffix `first` (distinct per test so tests share no contacts). */
export const numbers = (first: number, n: number) =>
  Array.from({ length: n }, (_, i) => `+44207183${String(first + i).padStart(4, '0')}`);

/** Calls the tenant placed, newest first (through the calls API, as a customer would see them). */
export async function outboundCalls(t: Awaited<ReturnType<typeof campaignTenant>>): Promise<Json[]> {
  const res = await t.api.get('/v1/calls?direction=outbound&limit=100');
  expect(res.status).toBe(200);
  return res.body.items;
}
