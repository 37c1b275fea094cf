import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getMediaTask } from '#shared/data/media-tasks.ts';
import { queueUrlsFromEnv, sendMediaCommand } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { createWebCall } from '#shared/web-calls/create-web-call.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';
import type { CallSession } from '../session/call-session.ts';
import { signRelayedCommand } from './relay-token.ts';
import { MEDIA_RELAY_PATH } from './relay-route.ts';

/**
 * Two media tasks share one command queue. Task A runs a browser call but does not read the
 * queue; task B does. A hang-up sent on the queue must still end A's call: B finds the owner
 * through the call's ownership record and hands the command over (without the relay B would
 * acknowledge it as "not live here" and the call would go on).
 */
let harness: MediaHarness;
type Service = Awaited<ReturnType<MediaHarness['startService']>>;
let taskA: Service;

beforeAll(async () => {
  harness = await startMediaHarness();
  taskA = await harness.startService(
    {},
    {
      taskId: 'relay-a',
      goodbyeTimeoutMs: 300,
      queueUrls: { ...queueUrlsFromEnv(), mediaCommands: undefined },
    },
  );
  await harness.startService({}, { taskId: 'relay-b' });
}, 60_000);
afterAll(() => harness?.stop());

async function browserCallOn(service: Service) {
  const link = await createWebCall(
    harness.db,
    { tenantId: harness.tenantId, agentId: harness.agentId },
    { signingKey: harness.platform.secrets.INTERNAL_SIGNING_KEY, publicMediaUrl: service.baseUrl },
  );
  const before = harness.realtime.connections.length;
  const page = new WebSocket(
    `${service.baseUrl.replace(/^http/, 'ws')}/web?token=${encodeURIComponent(link.token)}`,
  );
  const model = await harness.realtime.nextConfigured(before);
  await model.waitFor('response.create');
  const session = service.service.registry.get(link.call.id) as CallSession;
  return { callId: link.call.id, page, session };
}

const relayRequest = (headers: Record<string, string>) =>
  fetch(`${taskA.baseUrl}${MEDIA_RELAY_PATH}`, { method: 'POST', headers });

describe('commands for a call on another task', () => {
  it('each task records where the others can reach it', async () => {
    await expect(getMediaTask(harness.db, 'relay-a')).resolves.toMatchObject({ url: taskA.baseUrl });
  });

  it('a hang-up from the API reaches the task that runs the call, whichever task reads it', async () => {
    const call = await browserCallOn(taskA);
    await sendMediaCommand(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.end',
      tenantId: harness.tenantId,
      callId: call.callId,
      reason: 'api_request',
    });
    await call.session.closed;
    expect(await harness.callRecord(call.callId)).toMatchObject({
      status: 'completed',
      endReason: 'api_request',
    });
    call.page.close();
  });

  it('the relay endpoint refuses what did not come from a task of this platform', async () => {
    const key = harness.platform.secrets.INTERNAL_SIGNING_KEY;
    const end = (callId: string) =>
      signRelayedCommand(
        {
          schemaVersion: 1,
          eventId: 'evt_relay',
          occurredAt: new Date().toISOString(),
          tenantId: harness.tenantId,
          type: 'call.end',
          callId,
          reason: 'api_request',
        },
        'relay-test',
        key,
      );
    expect((await relayRequest({})).status).toBe(401);
    expect(
      (await relayRequest({ authorization: `Bearer ${await end('call_x')}`.replace(/.$/, 'A') })).status,
    ).toBe(401);
    // Through the public load balancer (which always adds X-Forwarded-For): refused outright.
    const viaBalancer = await relayRequest({
      authorization: `Bearer ${await end('call_x')}`,
      'x-forwarded-for': '203.0.113.9',
    });
    expect(viaBalancer.status).toBe(403);
    const notLive = await relayRequest({ authorization: `Bearer ${await end('call_not_here')}` });
    expect(notLive.status).toBe(404);
    expect(await notLive.json()).toMatchObject({ error: { code: 'not_live' } });
    const get = await fetch(`${taskA.baseUrl}${MEDIA_RELAY_PATH}`);
    expect(get.status).toBe(405);
  });
});
