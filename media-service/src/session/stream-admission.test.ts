import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newStreamTokenId, signStreamToken } from '#shared/calls/stream-token.ts';
import { createSecretStore } from '#shared/config/secrets.ts';
import { createCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../../test/platform.ts';
import { createSessionRegistry } from './session-registry.ts';
import { admitStreamConnection } from './stream-admission.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
}, 60_000);
afterAll(() => platform?.stop());

/** One media task's admission dependencies: its own registry, the shared table. */
function mediaTask() {
  const refused: string[] = [];
  return {
    db: dbFromEnv(),
    secrets: createSecretStore({ env: { INTERNAL_SIGNING_KEY: platform.secrets.INTERNAL_SIGNING_KEY } }),
    registry: createSessionRegistry(10),
    logger: createLogger({ level: 'error' }),
    refused,
    onCallRefused: (reason: string) => refused.push(reason),
  };
}

describe('stream admission across media tasks', () => {
  it('admits one session per call even when a replayed voice webhook minted a second token', async () => {
    const { tenant, agentId } = await createTestTenant();
    const { call } = await createCall(
      dbFromEnv(),
      {
        tenantId: tenant.id,
        agentId,
        direction: 'inbound',
        provider: 'twilio',
        from: '+14155550100',
        to: '+14155550199',
        status: 'ringing',
      },
      { maxConcurrentCalls: 5 },
    );
    // Each answer of the (signed, timestamp-less) voice webhook signs a fresh token for the call.
    const tokenFor = () =>
      signStreamToken(
        {
          callId: call.id,
          tenantId: tenant.id,
          agentId,
          provider: 'twilio',
          exp: Math.floor(Date.now() / 1000) + 60,
          jti: newStreamTokenId(),
        },
        platform.secrets.INTERNAL_SIGNING_KEY,
      );
    const tasks = [mediaTask(), mediaTask()];
    const results = await Promise.all(
      tasks.map((task) =>
        admitStreamConnection(task, { token: tokenFor(), provider: 'twilio', callId: call.id }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(['token_replayed']);
    // The refused task holds no place for the call.
    const refusedTask = tasks[results.findIndex((r) => !r.ok)];
    expect(refusedTask?.registry.snapshot().liveCalls).toBe(0);

    // Later replays (a third token, on either task) are refused as well.
    const late = await admitStreamConnection(tasks[0] as ReturnType<typeof mediaTask>, {
      token: tokenFor(),
      provider: 'twilio',
      callId: call.id,
    });
    expect(late).toMatchObject({ ok: false, reason: 'token_replayed' });
    // Each refusal was reported once, by the task that refused it (the refused-calls metric).
    expect(tasks.flatMap((task) => task.refused)).toEqual(['token_replayed', 'token_replayed']);
  });

  it('reports every refusal with its reason: a forged token, a draining task', async () => {
    const task = mediaTask();
    const forged = await admitStreamConnection(task, { token: 'not-a-token', provider: 'web' });
    expect(forged).toMatchObject({ ok: false, reason: 'token_invalid' });
    task.registry.startDraining();
    const { tenant, agentId } = await createTestTenant();
    const token = signStreamToken(
      {
        callId: 'call_draining',
        tenantId: tenant.id,
        agentId,
        provider: 'web',
        exp: Math.floor(Date.now() / 1000) + 60,
        jti: newStreamTokenId(),
      },
      platform.secrets.INTERNAL_SIGNING_KEY,
    );
    expect(await admitStreamConnection(task, { token, provider: 'web' })).toMatchObject({
      ok: false,
      reason: 'draining',
    });
    expect(task.refused).toEqual(['token_invalid', 'draining']);
  });
});
