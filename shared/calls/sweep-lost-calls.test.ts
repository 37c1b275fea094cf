import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import {
  claimCallOwner,
  getCallOwner,
  LOST_CALL_GRACE_MS,
  releaseCallOwner,
  renewCallLease,
  takeOverCall,
} from '../data/call-owners.ts';
import { createCall, getCall, transitionCall } from '../data/calls.ts';
import { dbFromEnv } from '../data/client.ts';
import { listDue } from '../data/due-index.ts';
import { endLostCallOwner } from '../data/lost-call-owners.ts';
import { createLogger } from '../logging/logger.ts';
import { queueUrlsFromEnv } from '../queues/publisher.ts';
import { sqsFromEnv } from '../queues/sqs-client.ts';
import { finaliseLostCall, MEDIA_LOST_REASON, sweepLostCalls } from './sweep-lost-calls.ts';

let platform: TestPlatform;
const logger = createLogger({ level: 'error' });
const LEASE_MS = 15_000;

beforeAll(async () => {
  platform = await startTestPlatform();
}, 60_000);
afterAll(async () => {
  await platform?.stop();
});

const deps = (now: Date) => ({
  db: dbFromEnv(),
  sqs: sqsFromEnv(),
  queueUrls: queueUrlsFromEnv(),
  logger,
  now,
});

/** A call answered at `answeredMs` whose first media task claimed it then (lease from then). */
async function liveCall(answeredMs: number) {
  const { tenant, agentId } = await createTestTenant({ maxConcurrentCalls: 50, requestsPerSecond: 1000 });
  const db = dbFromEnv();
  const { call } = await createCall(
    db,
    {
      tenantId: tenant.id,
      agentId,
      direction: 'inbound',
      provider: 'web',
      from: 'web',
      to: 'web',
    },
    { maxConcurrentCalls: 50 },
  );
  await transitionCall(db, tenant.id, call.id, 'in_progress', {
    answeredAt: new Date(answeredMs).toISOString(),
  });
  const owner = await claimCallOwner(
    db,
    {
      callId: call.id,
      tenantId: tenant.id,
      provider: 'web',
      taskId: 'task-a',
      answeredAt: new Date(answeredMs).toISOString(),
      maxDurationAtMs: answeredMs + 3_600_000,
    },
    LEASE_MS,
    answeredMs,
  );
  if (!owner) throw new Error('not claimed');
  return { call, owner };
}

/** call.ended events for `callId` on the summaries queue since the last read. */
async function endedEvents(callId: string): Promise<{ endReason?: string; durationSeconds?: number }[]> {
  const sqs = sqsFromEnv();
  const queueUrl = queueUrlsFromEnv().summaries as string;
  const found: { endReason?: string; durationSeconds?: number }[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (!out.Messages?.length) return found;
    for (const message of out.Messages) {
      const event = JSON.parse(message.Body ?? '{}') as {
        type?: string;
        callId?: string;
        endReason?: string;
        durationSeconds?: number;
      };
      if (event.type === 'call.ended' && event.callId === callId) found.push(event);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

const onList = async (callId: string, now: Date) =>
  (await listDue(dbFromEnv(), 'owner', now, 1000)).some((item) => item.callId === callId);

describe('lost-call sweeper (DynamoDB Local)', () => {
  it('ends a call whose owner task died once the lease and grace ran out, exactly once', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const { call, owner } = await liveCall(t0);
    // The owner renewed at t0 + 5 s, then died.
    expect(await renewCallLease(dbFromEnv(), owner, LEASE_MS, t0 + 5_000)).toBe(true);
    const dueAt = t0 + 5_000 + LEASE_MS + LOST_CALL_GRACE_MS;
    expect(await onList(call.id, new Date(dueAt - 1))).toBe(false);
    expect(await onList(call.id, new Date(dueAt))).toBe(true);

    const first = await sweepLostCalls(deps(new Date(dueAt)));
    expect(first.ended).toBeGreaterThanOrEqual(1);
    const stored = await getCall(dbFromEnv(), call.tenantId, call.id);
    expect(stored).toMatchObject({ status: 'completed', endReason: MEDIA_LOST_REASON, durationSeconds: 5 });
    expect(stored?.endedAt).toBe(new Date(t0 + 5_000).toISOString());
    expect((await getCallOwner(dbFromEnv(), call.id))?.state).toBe('ended');
    expect(await onList(call.id, new Date(dueAt))).toBe(false);

    await sweepLostCalls(deps(new Date(dueAt + 60_000)));
    const events = await endedEvents(call.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ endReason: MEDIA_LOST_REASON, durationSeconds: 5 });
  });

  it('ends a browser call whose tab closed (leg detached) and never came back', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const { call, owner } = await liveCall(t0);
    expect(await releaseCallOwner(dbFromEnv(), owner, 'detached', 'leg_lost', t0 + 42_000)).toBe(true);
    expect(await onList(call.id, new Date(t0 + 42_000 + LOST_CALL_GRACE_MS - 1))).toBe(false);
    await sweepLostCalls(deps(new Date(t0 + 42_000 + LOST_CALL_GRACE_MS)));
    const stored = await getCall(dbFromEnv(), call.tenantId, call.id);
    expect(stored).toMatchObject({ status: 'completed', endReason: MEDIA_LOST_REASON, durationSeconds: 42 });
  });

  it('leaves alone a call that was resumed, or one its owner ended normally', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const resumed = await liveCall(t0);
    const taken = await takeOverCall(dbFromEnv(), {
      callId: resumed.call.id,
      taskId: 'task-b',
      leaseMs: LEASE_MS,
      gapMs: 900,
      nowMs: t0 + 20_000,
    });
    expect(taken.ok).toBe(true);
    const ended = await liveCall(t0);
    expect(await releaseCallOwner(dbFromEnv(), ended.owner, 'ended', 'caller_hangup', t0 + 1_000)).toBe(true);
    expect(await onList(ended.call.id, new Date(t0 + 3_600_000))).toBe(false);

    // Swept between the takeover's lease and its grace: not due yet, so untouched.
    await sweepLostCalls(deps(new Date(t0 + 20_000 + LEASE_MS + LOST_CALL_GRACE_MS - 1)));
    expect((await getCall(dbFromEnv(), resumed.call.tenantId, resumed.call.id))?.status).toBe('in_progress');
    expect((await getCallOwner(dbFromEnv(), resumed.call.id))?.state).toBe('live');
  });

  it('a sweep holding a stale read (the call was resumed since) changes nothing', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const { call, owner } = await liveCall(t0);
    const taken = await takeOverCall(dbFromEnv(), {
      callId: call.id,
      taskId: 'task-b',
      leaseMs: LEASE_MS,
      gapMs: 900,
      nowMs: t0 + 20_000,
    });
    expect(taken.ok).toBe(true);
    const outcome = await finaliseLostCall(deps(new Date(t0 + 120_000)), owner);
    expect(outcome).toBe('alive');
    expect((await getCall(dbFromEnv(), call.tenantId, call.id))?.status).toBe('in_progress');
    expect((await getCallOwner(dbFromEnv(), call.id))?.taskId).toBe('task-b');
  });

  it('a sweep that stopped after ending the ownership finishes the call on the next run, with its resumes', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const { call } = await liveCall(t0);
    const taken = await takeOverCall(dbFromEnv(), {
      callId: call.id,
      taskId: 'task-b',
      leaseMs: LEASE_MS,
      gapMs: 1_234,
      nowMs: t0 + 20_000,
    });
    if (!taken.ok) throw new Error('not taken');
    // The first sweep ended the ownership and died before storing the call's end.
    expect(await endLostCallOwner(dbFromEnv(), taken.owner, MEDIA_LOST_REASON)).toBe(true);
    const dueAt = new Date(t0 + 20_000 + LEASE_MS + LOST_CALL_GRACE_MS);
    expect(await onList(call.id, dueAt)).toBe(true);
    await sweepLostCalls(deps(dueAt));
    const stored = await getCall(dbFromEnv(), call.tenantId, call.id);
    expect(stored).toMatchObject({ status: 'completed', endReason: MEDIA_LOST_REASON, durationSeconds: 20 });
    expect(stored?.telemetry).toMatchObject({ resumes: 1, resumeGapsMs: [1_234] });
    expect(await onList(call.id, dueAt)).toBe(false);
    expect(await endedEvents(call.id)).toHaveLength(1);
  });
});
