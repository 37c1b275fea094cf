import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  claimCallOwner,
  getCallOwner,
  LOST_CALL_GRACE_MS,
  ownerDue,
  releaseCallOwner,
  takeOverCall,
} from '../data/call-owners.ts';
import { createCall, getCall, transitionCall } from '../data/calls.ts';
import { dbFromEnv } from '../data/client.ts';
import { listDue } from '../data/due-index.ts';
import { keys } from '../data/keys.ts';
import { endCallOfDeadTask } from '../data/lost-call-owners.ts';
import { beatTask, DEAD_TASK_GRACE_MS, getTaskLiveness } from '../data/task-liveness.ts';
import { createLogger } from '../logging/logger.ts';
import { queueUrlsFromEnv } from '../queues/publisher.ts';
import { sqsFromEnv } from '../queues/sqs-client.ts';
import { finaliseCallOfDeadTask, MEDIA_LOST_REASON, sweepLostCalls } from './sweep-lost-calls.ts';

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

let tasks = 0;
/** A media task id of this test alone (the sweeper sees every task in the table). */
const newTask = () => `sweep-task-${process.pid}-${++tasks}-${Date.now()}`;

/** A call answered at `answeredMs` whose first media task (beating then) claimed it then. */
async function liveCall(answeredMs: number, taskId = newTask()) {
  await beatTask(dbFromEnv(), taskId, LEASE_MS, answeredMs);
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
      taskId,
      answeredAt: new Date(answeredMs).toISOString(),
      maxDurationAtMs: answeredMs + 3_600_000,
    },
    answeredMs,
  );
  if (!owner) throw new Error('not claimed');
  return { call, owner, taskId };
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
const taskOnList = async (taskId: string, now: Date) =>
  (await listDue(dbFromEnv(), 'task', now, 1000)).some((item) => item.taskId === taskId);

describe('lost-call sweeper (DynamoDB Local)', () => {
  it('ends the calls of a task that stopped beating once the grace ran out, at its last beat, exactly once', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const { call, taskId } = await liveCall(t0);
    // The task beat at t0 + 5 s, then died.
    await beatTask(dbFromEnv(), taskId, LEASE_MS, t0 + 5_000);
    const dueAt = t0 + 5_000 + LEASE_MS + DEAD_TASK_GRACE_MS;
    expect(await taskOnList(taskId, new Date(dueAt - 1))).toBe(false);
    expect(await taskOnList(taskId, new Date(dueAt))).toBe(true);

    const first = await sweepLostCalls(deps(new Date(dueAt)));
    expect(first.ended).toBeGreaterThanOrEqual(1);
    const stored = await getCall(dbFromEnv(), call.tenantId, call.id);
    expect(stored).toMatchObject({ status: 'completed', endReason: MEDIA_LOST_REASON, durationSeconds: 5 });
    expect(stored?.endedAt).toBe(new Date(t0 + 5_000).toISOString());
    expect((await getCallOwner(dbFromEnv(), call.id))?.state).toBe('ended');
    expect(await onList(call.id, new Date(dueAt))).toBe(false);
    expect(await taskOnList(taskId, new Date(dueAt))).toBe(false);

    await sweepLostCalls(deps(new Date(dueAt + 60_000)));
    const events = await endedEvents(call.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ endReason: MEDIA_LOST_REASON, durationSeconds: 5 });
  });

  it('leaves the calls of a task that beats alone, however old they are', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const { call, taskId } = await liveCall(t0);
    await beatTask(dbFromEnv(), taskId, LEASE_MS);
    await sweepLostCalls(deps(new Date()));
    expect((await getCall(dbFromEnv(), call.tenantId, call.id))?.status).toBe('in_progress');
    expect((await getCallOwner(dbFromEnv(), call.id))?.state).toBe('live');
    expect(await taskOnList(taskId, new Date())).toBe(false);
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

  it('leaves alone a call resumed on a beating task, or one its owner ended normally', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const resumed = await liveCall(t0);
    const taskB = newTask();
    await beatTask(dbFromEnv(), taskB, LEASE_MS);
    const taken = await takeOverCall(dbFromEnv(), {
      callId: resumed.call.id,
      taskId: taskB,
      generation: 1,
      gapMs: 900,
      nowMs: t0 + 20_000,
    });
    expect(taken.ok).toBe(true);
    const ended = await liveCall(t0);
    expect(await releaseCallOwner(dbFromEnv(), ended.owner, 'ended', 'caller_hangup', t0 + 1_000)).toBe(true);
    expect(await onList(ended.call.id, new Date(t0 + 3_600_000))).toBe(false);

    // The first task is long dead and due; the call it lost is on the second task's list.
    expect(await taskOnList(resumed.taskId, new Date())).toBe(true);
    await sweepLostCalls(deps(new Date()));
    expect((await getCall(dbFromEnv(), resumed.call.tenantId, resumed.call.id))?.status).toBe('in_progress');
    expect(await getCallOwner(dbFromEnv(), resumed.call.id)).toMatchObject({ state: 'live', taskId: taskB });
    expect((await getCall(dbFromEnv(), ended.call.tenantId, ended.call.id))?.status).toBe('in_progress');
  });

  it('a sweep holding a stale read (the call was resumed since) changes nothing', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const { call, owner, taskId } = await liveCall(t0);
    const dead = await getTaskLiveness(dbFromEnv(), taskId);
    if (!dead) throw new Error('no heartbeat');
    const taken = await takeOverCall(dbFromEnv(), {
      callId: call.id,
      taskId: newTask(),
      generation: 1,
      gapMs: 900,
      nowMs: t0 + 20_000,
    });
    expect(taken.ok).toBe(true);
    const outcome = await finaliseCallOfDeadTask(deps(new Date(t0 + 120_000)), owner, dead);
    expect(outcome).toBe('alive');
    expect((await getCall(dbFromEnv(), call.tenantId, call.id))?.status).toBe('in_progress');
    expect((await getCallOwner(dbFromEnv(), call.id))?.generation).toBe(2);
  });

  it('a sweep that stopped after ending the ownership finishes the call on the next run, with its resumes', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const { call } = await liveCall(t0);
    const taskB = newTask();
    await beatTask(dbFromEnv(), taskB, LEASE_MS, t0 + 20_000);
    const taken = await takeOverCall(dbFromEnv(), {
      callId: call.id,
      taskId: taskB,
      generation: 1,
      gapMs: 1_234,
      nowMs: t0 + 20_000,
    });
    if (!taken.ok) throw new Error('not taken');
    // The first sweep ended the ownership at task B's last beat and died before storing the end.
    const sweptAt = t0 + 20_000 + LEASE_MS + DEAD_TASK_GRACE_MS;
    expect(await endCallOfDeadTask(dbFromEnv(), taken.owner, t0 + 20_000, MEDIA_LOST_REASON, sweptAt)).toBe(
      true,
    );
    expect(await onList(call.id, new Date(sweptAt))).toBe(true);
    await sweepLostCalls(deps(new Date(sweptAt)));
    const stored = await getCall(dbFromEnv(), call.tenantId, call.id);
    expect(stored).toMatchObject({ status: 'completed', endReason: MEDIA_LOST_REASON, durationSeconds: 20 });
    expect(stored?.telemetry).toMatchObject({ resumes: 1, resumeGapsMs: [1_234] });
    expect(await onList(call.id, new Date(sweptAt))).toBe(false);
    expect(await endedEvents(call.id)).toHaveLength(1);
  });

  it('still ends a call an older task held under a per-call lease (rolling deploy)', async () => {
    const t0 = Date.now() - 10 * 60_000;
    const { call } = await liveCall(t0);
    // The record as an older task wrote it: no `lease`; it last renewed its own lease at t0 + 5 s.
    const legacy = {
      ...keys.callOwner(call.id),
      ...ownerDue(call.id, t0 + 5_000 + LEASE_MS),
      type: 'callOwner',
      callId: call.id,
      tenantId: call.tenantId,
      provider: 'web',
      taskId: 'older-task',
      generation: 1,
      state: 'live',
      leaseUntilMs: t0 + 5_000 + LEASE_MS,
      answeredAt: new Date(t0).toISOString(),
      maxDurationAtMs: t0 + 3_600_000,
      resumes: 0,
      resumeGapsMs: [],
      resumeOffers: 0,
      toolsInFlight: {},
      updatedAtMs: t0 + 5_000,
    };
    const db = dbFromEnv();
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: legacy }));
    await sweepLostCalls(deps(new Date(t0 + 5_000 + LEASE_MS + LOST_CALL_GRACE_MS)));
    expect(await getCall(db, call.tenantId, call.id)).toMatchObject({
      status: 'completed',
      endReason: MEDIA_LOST_REASON,
      durationSeconds: 5,
    });
  });
});
