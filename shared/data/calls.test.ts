import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { ConflictError } from '../errors/app-error.ts';
import { dbFromEnv } from './client.ts';
import {
  addCallUsage,
  ConcurrencyLimitError,
  createCall,
  getActiveCallCount,
  getCall,
  transitionCall,
} from './calls.ts';
import { listCalls } from './call-list.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

const newCall = (tenantId: string, agentId: string, extra: Record<string, unknown> = {}) => ({
  tenantId,
  agentId,
  direction: 'inbound' as const,
  provider: 'twilio' as const,
  from: '+14155550100',
  to: '+14155550199',
  ...extra,
});

describe('calls repository (DynamoDB Local)', () => {
  it('creates a call idempotently on the provider call id, taking one slot', async () => {
    const { tenant, agentId } = await createTestTenant();
    const db = dbFromEnv();
    const first = await createCall(db, newCall(tenant.id, agentId, { providerCallId: 'CA1' }), {
      maxConcurrentCalls: 3,
    });
    const again = await createCall(db, newCall(tenant.id, agentId, { providerCallId: 'CA1' }), {
      maxConcurrentCalls: 3,
    });
    expect(first.created).toBe(true);
    expect(again).toEqual({ call: first.call, created: false });
    expect(await getActiveCallCount(db, tenant.id)).toBe(1);
  });

  it('enforces the concurrency cap atomically and frees a slot when a call ends', async () => {
    const { tenant, agentId } = await createTestTenant();
    const db = dbFromEnv();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => createCall(db, newCall(tenant.id, agentId), { maxConcurrentCalls: 2 })),
    );
    const admitted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(admitted).toHaveLength(2);
    expect(refused.every((r) => (r as PromiseRejectedResult).reason instanceof ConcurrencyLimitError)).toBe(
      true,
    );

    const callId = (admitted[0] as PromiseFulfilledResult<{ call: { id: string } }>).value.call.id;
    await transitionCall(db, tenant.id, callId, 'in_progress');
    const ended = await transitionCall(db, tenant.id, callId, 'completed', {
      endReason: 'caller_hangup',
      durationSeconds: 12,
    });
    expect(ended.changed).toBe(true);
    expect(ended.call).toMatchObject({
      status: 'completed',
      endReason: 'caller_hangup',
      durationSeconds: 12,
    });
    expect(await getActiveCallCount(db, tenant.id)).toBe(1);

    // A repeated terminal update is a no-op and does not free a second slot.
    const repeat = await transitionCall(db, tenant.id, callId, 'completed');
    expect(repeat.changed).toBe(false);
    expect(await getActiveCallCount(db, tenant.id)).toBe(1);
    await expect(transitionCall(db, tenant.id, callId, 'in_progress')).rejects.toBeInstanceOf(ConflictError);
  });

  it('applies provider status updates only in sequence order', async () => {
    const { tenant, agentId } = await createTestTenant();
    const db = dbFromEnv();
    const { call } = await createCall(db, newCall(tenant.id, agentId), { maxConcurrentCalls: 5 });
    await transitionCall(db, tenant.id, call.id, 'in_progress', {}, { providerSequence: 2 });
    // A late, lower-numbered callback is ignored rather than rejected: Twilio must get a 2xx.
    const stale = await transitionCall(db, tenant.id, call.id, 'ringing', {}, { providerSequence: 1 });
    expect(stale.changed).toBe(false);
    expect((await getCall(db, tenant.id, call.id))?.status).toBe('in_progress');
  });

  it('accumulates usage and lists calls newest first through the filter indexes', async () => {
    const { tenant, agentId } = await createTestTenant({ maxConcurrentCalls: 50, requestsPerSecond: 100 });
    const db = dbFromEnv();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { call } = await createCall(
        db,
        newCall(tenant.id, agentId, { direction: i % 2 ? 'outbound' : 'inbound' }),
        {
          maxConcurrentCalls: 50,
          now: new Date(Date.UTC(2026, 0, 1, 0, i)),
        },
      );
      ids.push(call.id);
    }
    await addCallUsage(db, tenant.id, ids[0] as string, { responses: 1, outputAudioTokens: 120 });
    await addCallUsage(db, tenant.id, ids[0] as string, {
      responses: 1,
      outputAudioTokens: 30,
      inputTextTokens: 7,
    });
    expect((await getCall(db, tenant.id, ids[0] as string))?.usage).toMatchObject({
      responses: 2,
      outputAudioTokens: 150,
      inputTextTokens: 7,
    });

    const page = { limit: 2, signingKey: 'k' };
    const first = await listCalls(db, tenant.id, {}, page);
    expect(first.items.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    const second = await listCalls(db, tenant.id, {}, { ...page, cursor: first.nextCursor as string });
    expect(second.items.map((c) => c.id)).toEqual([ids[2], ids[1]]);

    const outbound = await listCalls(
      db,
      tenant.id,
      { direction: 'outbound' },
      { limit: 10, signingKey: 'k' },
    );
    expect(outbound.items.map((c) => c.id)).toEqual([ids[3], ids[1]]);
    const window = await listCalls(
      db,
      tenant.id,
      { since: new Date(Date.UTC(2026, 0, 1, 0, 1)), until: new Date(Date.UTC(2026, 0, 1, 0, 3)), agentId },
      { limit: 10, signingKey: 'k' },
    );
    expect(window.items.map((c) => c.id)).toEqual([ids[2], ids[1]]);

    const other = await createTestTenant();
    expect((await listCalls(db, other.tenant.id, {}, { limit: 10, signingKey: 'k' })).items).toEqual([]);
  });
});
