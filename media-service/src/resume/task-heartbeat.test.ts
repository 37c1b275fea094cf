import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimCallOwner, releaseCallOwner, takeOverCall } from '#shared/data/call-owners.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { listDue } from '#shared/data/due-index.ts';
import { DEAD_TASK_GRACE_MS, getTaskLiveness } from '#shared/data/task-liveness.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { startTestPlatform, type TestPlatform } from '../../../test/platform.ts';
import { TaskHeartbeat } from './task-heartbeat.ts';

/**
 * The task heartbeat against DynamoDB Local: one record per task, due for the sweeper once it
 * stops beating; calls it holds are told they were lost when another task took them over or the
 * sweeper ended them, and only then (a call the index does not show yet is not lost).
 */
let platform: TestPlatform;
const logger = createLogger({ level: 'error' });
const TIMING = { leaseMs: 15_000, heartbeatMs: 60_000 };

beforeAll(async () => {
  platform = await startTestPlatform();
}, 60_000);
afterAll(() => platform?.stop());

let n = 0;
const unique = (what: string) => `${what}-${process.pid}-${++n}-${Date.now()}`;

function heartbeatOf(taskId: string) {
  return new TaskHeartbeat({ db: dbFromEnv(), logger, taskId, timing: TIMING });
}

async function claim(taskId: string) {
  const callId = unique('call_hb');
  const owner = await claimCallOwner(dbFromEnv(), {
    callId,
    tenantId: 'ten_hb',
    provider: 'web',
    taskId,
    answeredAt: new Date().toISOString(),
    maxDurationAtMs: Date.now() + 600_000,
  });
  if (!owner) throw new Error('not claimed');
  return owner;
}

/** Holds `callId` on `heartbeat` and counts the times it is told the call was lost. */
function held(heartbeat: TaskHeartbeat, callId: string, generation = 1) {
  const lost = { times: 0 };
  const unhold = heartbeat.hold({ callId, generation, lost: () => lost.times++ });
  return { lost, unhold };
}

describe('task heartbeat (DynamoDB Local)', () => {
  it('one record per task, alive for a lease after each beat, due for the sweeper a grace later', async () => {
    const taskId = unique('task');
    const heartbeat = heartbeatOf(taskId);
    const before = Date.now();
    await heartbeat.start();
    heartbeat.stop();
    const record = await getTaskLiveness(dbFromEnv(), taskId);
    expect(record?.beatAtMs).toBeGreaterThanOrEqual(before);
    expect(record?.aliveUntilMs).toBe((record?.beatAtMs ?? 0) + TIMING.leaseMs);
    const dueAt = (record?.aliveUntilMs ?? 0) + DEAD_TASK_GRACE_MS;
    const due = async (at: number) =>
      (await listDue(dbFromEnv(), 'task', new Date(at), 1000)).some((item) => item.taskId === taskId);
    expect(await due(dueAt - 1)).toBe(false);
    expect(await due(dueAt)).toBe(true);
  });

  it('a held call taken over by another task is reported lost at the next beat, once', async () => {
    const taskId = unique('task');
    const heartbeat = heartbeatOf(taskId);
    const owner = await claim(taskId);
    const call = held(heartbeat, owner.callId);
    await heartbeat.beat();
    expect(call.lost.times).toBe(0);
    const taken = await takeOverCall(dbFromEnv(), {
      callId: owner.callId,
      taskId: unique('other'),
      generation: 1,
      gapMs: 0,
    });
    expect(taken.ok).toBe(true);
    await heartbeat.beat();
    expect(call.lost.times).toBe(1);
    expect(heartbeat.heldCalls).toBe(0);
    await heartbeat.beat();
    expect(call.lost.times).toBe(1);
  });

  it('a call claimed a moment ago is not lost, whatever the index shows yet', async () => {
    const taskId = unique('task');
    const heartbeat = heartbeatOf(taskId);
    const calls = await Promise.all([claim(taskId), claim(taskId), claim(taskId)]);
    const holds = calls.map((owner) => held(heartbeat, owner.callId));
    await heartbeat.beat();
    expect(holds.map((h) => h.lost.times)).toEqual([0, 0, 0]);
    expect(heartbeat.heldCalls).toBe(3);
  });

  it('a held call at an older generation than the record (resumed elsewhere and back) is lost', async () => {
    const taskId = unique('task');
    const heartbeat = heartbeatOf(taskId);
    const owner = await claim(taskId);
    const call = held(heartbeat, owner.callId);
    // Taken over by another task, then by this task again under a new session: generation 3.
    const other = unique('other');
    await takeOverCall(dbFromEnv(), { callId: owner.callId, taskId: other, generation: 1, gapMs: 0 });
    await takeOverCall(dbFromEnv(), { callId: owner.callId, taskId, generation: 2, gapMs: 0 });
    await heartbeat.beat();
    expect(call.lost.times).toBe(1);
  });

  it('a call let go is no longer watched: a later takeover is not reported to it', async () => {
    const taskId = unique('task');
    const heartbeat = heartbeatOf(taskId);
    const owner = await claim(taskId);
    const call = held(heartbeat, owner.callId);
    call.unhold();
    expect(await releaseCallOwner(dbFromEnv(), owner, 'detached', 'leg_lost')).toBe(true);
    await takeOverCall(dbFromEnv(), { callId: owner.callId, taskId: unique('other'), gapMs: 0 });
    await heartbeat.beat();
    expect(call.lost.times).toBe(0);
  });

  it('two beats asked for at once write once (a slow beat is not stacked)', async () => {
    const heartbeat = heartbeatOf(unique('task'));
    const [first, second] = [heartbeat.beat(), heartbeat.beat()];
    expect(first).toBe(second);
    await first;
  });
});
