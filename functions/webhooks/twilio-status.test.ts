import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '#shared/calls/call-types.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import {
  createCall,
  getActiveCallCount,
  getCall,
  linkProviderCallId,
  transitionCall,
} from '#shared/data/calls.ts';
import { TWILIO_STATUS_PATH } from '#shared/http/webhook-routes.ts';
import { CallEventSchema } from '#shared/queues/contracts.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { newCallSid, sendTwilioWebhook, type TwilioWebhookTarget } from '../../fakes/twilio/webhooks.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';

let platform: TestPlatform;
let target: TwilioWebhookTarget;

beforeAll(async () => {
  platform = await startTestPlatform();
  target = {
    apiUrl: platform.apiUrl,
    publicUrl: platform.env.PUBLIC_API_URL as string,
    authToken: platform.secrets.TWILIO_AUTH_TOKEN,
  };
});
afterAll(async () => {
  await platform?.stop();
});

/** `call.ended` events seen on the summaries queue so far, by call id (read with the SQS client). */
const endedEvents = new Map<string, unknown[]>();

/** Drains every message currently on the summaries queue (long polls; returns once one comes back empty). */
async function drainSummaries(): Promise<void> {
  const sqs = sqsFromEnv();
  const queueUrl = platform.env.QUEUE_SUMMARIES_URL as string;
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return;
    for (const message of messages) {
      const event = CallEventSchema.parse(JSON.parse(message.Body ?? ''));
      if (event.type !== 'call.ended') continue;
      endedEvents.set(event.callId, [...(endedEvents.get(event.callId) ?? []), event]);
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
  }
}

async function endedEventsFor(callId: string): Promise<unknown[]> {
  await drainSummaries();
  return endedEvents.get(callId) ?? [];
}

/** An outbound call placed through Twilio: created queued, its CallSid linked. */
async function placedCall(): Promise<{ call: Call; callSid: string }> {
  const { tenant, agentId } = await createTestTenant();
  const { call } = await createCall(
    dbFromEnv(),
    {
      tenantId: tenant.id,
      agentId,
      direction: 'outbound',
      provider: 'twilio',
      from: '+14155550999',
      to: '+14155550100',
    },
    { maxConcurrentCalls: 5 },
  );
  const callSid = newCallSid();
  await linkProviderCallId(dbFromEnv(), call, callSid);
  return { call, callSid };
}

function statusParams(
  callSid: string,
  status: string,
  sequence?: number,
  extra: Record<string, string> = {},
) {
  return {
    AccountSid: `AC${'0'.repeat(32)}`,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: status,
    CallbackSource: 'call-progress-events',
    Direction: 'outbound-api',
    From: '+14155550999',
    To: '+14155550100',
    Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
    ...(sequence === undefined ? {} : { SequenceNumber: String(sequence) }),
    ...extra,
  };
}

async function postStatus(params: Record<string, string>, options?: Parameters<typeof sendTwilioWebhook>[3]) {
  const response = await sendTwilioWebhook(target, TWILIO_STATUS_PATH, params, options);
  await response.body?.cancel();
  return response.status;
}

const reload = (call: Call) => getCall(dbFromEnv(), call.tenantId, call.id) as Promise<Call>;

describe('POST /webhooks/twilio/status', () => {
  it('applies a call’s progress in order and emits call.ended once', async () => {
    const { call, callSid } = await placedCall();
    expect(await postStatus(statusParams(callSid, 'initiated', 0))).toBe(204);
    expect(await postStatus(statusParams(callSid, 'ringing', 1))).toBe(204);
    expect((await reload(call)).status).toBe('ringing');
    expect(
      await postStatus(
        statusParams(callSid, 'in-progress', 2, { Timestamp: 'Sun, 22 Nov 2026 05:00:00 +0000' }),
      ),
    ).toBe(204);
    expect(await reload(call)).toMatchObject({
      status: 'in_progress',
      answeredAt: '2026-11-22T05:00:00.000Z',
    });
    expect(
      await postStatus(
        statusParams(callSid, 'completed', 3, {
          CallDuration: '42',
          Timestamp: 'Sun, 22 Nov 2026 05:00:42 +0000',
        }),
      ),
    ).toBe(204);
    expect(await reload(call)).toMatchObject({
      status: 'completed',
      answeredAt: '2026-11-22T05:00:00.000Z',
      endedAt: '2026-11-22T05:00:42.000Z',
      durationSeconds: 42,
      endReason: 'caller_hangup',
      providerSequence: 3,
    });
    expect(await getActiveCallCount(dbFromEnv(), call.tenantId)).toBe(0);

    // Twilio repeats itself: the same terminal callback again changes nothing and emits nothing.
    expect(await postStatus(statusParams(callSid, 'completed', 3, { CallDuration: '42' }))).toBe(204);
    const events = await endedEventsFor(call.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'call.ended',
      tenantId: call.tenantId,
      agentId: call.agentId,
      status: 'completed',
      endReason: 'caller_hangup',
      durationSeconds: 42,
    });
  });

  it('ignores callbacks that arrive after a later one, and back-fills the answer time', async () => {
    const { call, callSid } = await placedCall();
    expect(await postStatus(statusParams(callSid, 'completed', 3, { CallDuration: '7' }))).toBe(204);
    expect(
      await postStatus(
        statusParams(callSid, 'in-progress', 2, { Timestamp: 'Sun, 22 Nov 2026 05:10:00 +0000' }),
      ),
    ).toBe(204);
    expect(await postStatus(statusParams(callSid, 'ringing', 1))).toBe(204);
    expect(await reload(call)).toMatchObject({
      status: 'completed',
      durationSeconds: 7,
      providerSequence: 3,
      answeredAt: '2026-11-22T05:10:00.000Z',
    });
    expect(await endedEventsFor(call.id)).toHaveLength(1);
  });

  it('emits call.ended once when duplicate terminal callbacks race', async () => {
    const { call, callSid } = await placedCall();
    await postStatus(statusParams(callSid, 'in-progress', 1));
    const statuses = await Promise.all(
      Array.from({ length: 6 }, () =>
        postStatus(statusParams(callSid, 'completed', 2, { CallDuration: '3' })),
      ),
    );
    expect(statuses).toEqual(Array(6).fill(204));
    expect(await endedEventsFor(call.id)).toHaveLength(1);
    expect(await getActiveCallCount(dbFromEnv(), call.tenantId)).toBe(0);
  });

  it('leaves call.ended to the media service when it ended the call first, keeping its reason', async () => {
    const { call, callSid } = await placedCall();
    await postStatus(statusParams(callSid, 'in-progress', 1));
    await transitionCall(dbFromEnv(), call.tenantId, call.id, 'completed', { endReason: 'agent_hangup' });
    expect(await postStatus(statusParams(callSid, 'completed', 2, { CallDuration: '19' }))).toBe(204);
    expect(await reload(call)).toMatchObject({
      status: 'completed',
      endReason: 'agent_hangup',
      durationSeconds: 19,
    });
    expect(await endedEventsFor(call.id)).toHaveLength(0);
  });

  it.each([
    ['busy', 'busy', 'busy'],
    ['no-answer', 'no_answer', 'no_answer'],
    ['failed', 'failed', 'failed'],
    ['canceled', 'canceled', 'canceled'],
  ])('ends an unanswered call as %s and frees its slot', async (twilioStatus, status, endReason) => {
    const { call, callSid } = await placedCall();
    expect(await postStatus(statusParams(callSid, twilioStatus, 1, { CallDuration: '0' }))).toBe(204);
    expect(await reload(call)).toMatchObject({ status, endReason, durationSeconds: 0 });
    expect(await getActiveCallCount(dbFromEnv(), call.tenantId)).toBe(0);
    expect(await endedEventsFor(call.id)).toEqual([expect.objectContaining({ status, endReason })]);
  });

  it('acknowledges a status the state machine forbids (no-answer after answer) without applying it', async () => {
    const { call, callSid } = await placedCall();
    await postStatus(statusParams(callSid, 'in-progress', 1));
    expect(await postStatus(statusParams(callSid, 'no-answer', 2))).toBe(204);
    expect((await reload(call)).status).toBe('in_progress');
  });

  it('acknowledges callbacks for unknown calls and unknown statuses', async () => {
    expect(await postStatus(statusParams(newCallSid(), 'completed', 1))).toBe(204);
    const { call, callSid } = await placedCall();
    expect(await postStatus(statusParams(callSid, 'teleported', 1))).toBe(204);
    expect((await reload(call)).status).toBe('queued');
  });

  it.each([
    ['no signature', { signature: null }],
    ['a forged signature', { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }],
  ])('answers 403 for %s and changes nothing', async (_name, options) => {
    const { call, callSid } = await placedCall();
    expect(await postStatus(statusParams(callSid, 'completed', 1), options)).toBe(403);
    expect((await reload(call)).status).toBe('queued');
  });

  it('answers 400 for a signed callback with a malformed SequenceNumber', async () => {
    const { callSid } = await placedCall();
    expect(await postStatus(statusParams(callSid, 'completed', undefined, { SequenceNumber: 'x' }))).toBe(
      400,
    );
  });
});
