import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import {
  claimCallOwner,
  countResumeOffer,
  getCallOwner,
  releaseCallOwner,
  setToolsInFlight,
  takeOverCall,
} from './call-owners.ts';
import { dbFromEnv } from './client.ts';
import { beatTask, listTaskCalls } from './task-liveness.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
}, 60_000);
afterAll(() => platform?.stop());

let n = 0;
/** A call held by `taskId`, whose heartbeat runs (it beat just now, for 15 s). */
async function ownedCall(taskId = 'task-a') {
  await beatTask(dbFromEnv(), taskId, 15_000);
  const callId = `call_owner_${++n}_${Date.now()}`;
  const owner = await claimCallOwner(dbFromEnv(), {
    callId,
    tenantId: 'ten_1',
    provider: 'twilio',
    taskId,
    answeredAt: new Date().toISOString(),
    maxDurationAtMs: Date.now() + 600_000,
  });
  expect(owner).toMatchObject({ generation: 1, state: 'live', taskId, lease: 'task' });
  return callId;
}

describe('call ownership', () => {
  it('is claimed once per call', async () => {
    const callId = await ownedCall();
    const again = await claimCallOwner(dbFromEnv(), {
      callId,
      tenantId: 'ten_1',
      provider: 'twilio',
      taskId: 'task-b',
      answeredAt: '',
      maxDurationAtMs: 0,
    });
    expect(again).toBeUndefined();
    expect((await getCallOwner(dbFromEnv(), callId))?.taskId).toBe('task-a');
  });

  it('lets exactly one of two takeovers with the same generation win, and the old owner can no longer write', async () => {
    const db = dbFromEnv();
    const callId = await ownedCall();
    const takeover = (taskId: string) => takeOverCall(db, { callId, taskId, generation: 1, gapMs: 420 });
    const results = await Promise.all([takeover('task-b'), takeover('task-c')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(['replayed']);
    const owner = await getCallOwner(db, callId);
    expect(owner).toMatchObject({ generation: 2, state: 'live', resumes: 1, resumeGapsMs: [420] });
    const old = { callId, taskId: 'task-a', generation: 1 };
    expect(await setToolsInFlight(db, old, { tool_1: 'lookup' })).toBe(false);
    expect(await releaseCallOwner(db, old, 'ended', 'caller_hangup')).toBe(false);
    expect((await getCallOwner(db, callId))?.state).toBe('live');
  });

  it('never hands over a call that was ended on purpose', async () => {
    const db = dbFromEnv();
    const callId = await ownedCall();
    expect(
      await releaseCallOwner(db, { callId, taskId: 'task-a', generation: 1 }, 'ended', 'agent_hangup'),
    ).toBe(true);
    expect(await takeOverCall(db, { callId, taskId: 'task-b', generation: 1, gapMs: 0 })).toEqual({
      ok: false,
      reason: 'ended',
    });
    expect(await countResumeOffer(db, callId)).toBeUndefined();
  });

  it('a takeover without a token needs the owner to have let go', async () => {
    const db = dbFromEnv();
    const callId = await ownedCall();
    const provider = () => takeOverCall(db, { callId, taskId: 'task-b', requireLapsed: true, gapMs: 0 });
    expect(await provider()).toEqual({ ok: false, reason: 'owned' });
    expect(
      await releaseCallOwner(db, { callId, taskId: 'task-a', generation: 1 }, 'detached', 'leg_lost'),
    ).toBe(true);
    expect(await provider()).toMatchObject({ ok: true, owner: { taskId: 'task-b', generation: 2 } });
  });

  it('a takeover without a token takes a live call once its task stopped beating, not before', async () => {
    const db = dbFromEnv();
    const task = `task-dying-${Date.now()}`;
    const callId = await ownedCall(task);
    const provider = () => takeOverCall(db, { callId, taskId: 'task-b', requireLapsed: true, gapMs: 0 });
    expect(await provider()).toEqual({ ok: false, reason: 'owned' });
    // Its last beat was 20 s ago, for a 15 s lease: the task is presumed dead.
    await beatTask(db, task, 15_000, Date.now() - 20_000);
    expect(await provider()).toMatchObject({
      ok: true,
      owner: { taskId: 'task-b', generation: 2, state: 'live' },
    });
  });

  it('a call sits on its task’s list while live there: claimed, taken over, released', async () => {
    const db = dbFromEnv();
    const [a, b] = [`task-list-a-${Date.now()}`, `task-list-b-${Date.now()}`];
    const callId = await ownedCall(a);
    const ids = async (task: string) => (await listTaskCalls(db, task)).map((owner) => owner.callId);
    expect(await ids(a)).toEqual([callId]);
    await takeOverCall(db, { callId, taskId: b, generation: 1, gapMs: 0 });
    expect(await ids(a)).toEqual([]);
    expect(await ids(b)).toEqual([callId]);
    expect(await releaseCallOwner(db, { callId, taskId: b, generation: 2 }, 'detached', 'leg_lost')).toBe(
      true,
    );
    expect(await ids(b)).toEqual([]);
  });

  it('counts resume offers', async () => {
    const db = dbFromEnv();
    const callId = await ownedCall();
    expect((await countResumeOffer(db, callId))?.resumeOffers).toBe(1);
    expect((await countResumeOffer(db, callId))?.resumeOffers).toBe(2);
    expect(await countResumeOffer(db, 'call_nobody')).toBeUndefined();
  });
});
