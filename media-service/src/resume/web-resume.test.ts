import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getCallOwner } from '#shared/data/call-owners.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { createWebCall } from '#shared/web-calls/create-web-call.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';
import type { CallSession } from '../session/call-session.ts';
import { RESUME_LINE } from './resume-opening.ts';

/**
 * A browser call continues on another media task: the page holds the resume token the server
 * sends, and after its connection breaks (or the task drains) it reconnects with `/web?resume=`.
 */
let harness: MediaHarness;
type Service = Awaited<ReturnType<MediaHarness['startService']>>;
let taskA: Service;
let taskB: Service;
const LEASE = { leaseMs: 1_000, heartbeatMs: 100, detachedWindowMs: 60_000 };

beforeAll(async () => {
  harness = await startMediaHarness();
  taskA = await harness.startService({}, { leaseTiming: LEASE, taskId: 'web-a' });
  taskB = await harness.startService({}, { leaseTiming: LEASE, taskId: 'web-b' });
}, 60_000);
afterAll(() => harness?.stop());

/** A page's socket: JSON messages by type, in order. */
function openPage(url: string) {
  const ws = new WebSocket(url);
  const messages: { type: string; [key: string]: unknown }[] = [];
  const waiters: { type: string; resolve: (m: { type: string; [key: string]: unknown }) => void }[] = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const message = JSON.parse(data.toString()) as { type: string };
    messages.push(message);
    for (const waiter of waiters.filter((w) => w.type === message.type)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return {
    ws,
    closed,
    message(type: string) {
      const found = messages.find((m) => m.type === type);
      return found
        ? Promise.resolve(found)
        : new Promise<{ type: string; [key: string]: unknown }>((resolve) => waiters.push({ type, resolve }));
    },
  };
}

const wsUrl = (service: Service, query: string) => `${service.baseUrl.replace(/^http/, 'ws')}/web?${query}`;

async function browserCall(service: Service) {
  const link = await createWebCall(
    harness.db,
    { tenantId: harness.tenantId, agentId: harness.agentId },
    { signingKey: harness.platform.secrets.INTERNAL_SIGNING_KEY, publicMediaUrl: service.baseUrl },
  );
  const before = harness.realtime.connections.length;
  const page = openPage(wsUrl(service, `token=${encodeURIComponent(link.token)}`));
  await page.message('ready');
  const model = await harness.realtime.nextConfigured(before);
  await model.waitFor('response.create');
  model.speak('r1', 'item_a1', [Buffer.alloc(960, 1)], 'Hi, this is the booking line.');
  model.speechStarted('item_c1');
  model.speechStopped('item_c1', 100);
  model.callerTranscript('item_c1', 'Can I book for Friday?');
  while ((await listTranscriptTurns(harness.db, link.call.id)).length < 2)
    await new Promise((r) => setImmediate(r));
  const resume = (await page.message('resume')) as unknown as { token: string };
  return { callId: link.call.id, page, token: resume.token };
}

async function resumeOn(service: Service, token: string) {
  const before = harness.realtime.connections.length;
  const page = openPage(wsUrl(service, `resume=${encodeURIComponent(token)}`));
  await page.message('ready');
  const model = await harness.realtime.nextConfigured(before);
  return { page, model, opening: await model.waitFor('response.create') };
}

const restoredTexts = (model: Awaited<ReturnType<typeof resumeOn>>['model']) =>
  model.received
    .filter((e) => e.type === 'conversation.item.create')
    .map((e) => (e.item as { content: { text: string }[] }).content[0]?.text);

describe('a browser call survives losing its media task', () => {
  it('the page reconnects with its resume token after the connection breaks; the conversation continues', async () => {
    const call = await browserCall(taskA);
    const first = taskA.service.registry.get(call.callId) as CallSession;
    call.page.ws.terminate();
    await first.closed;
    const resumed = await resumeOn(taskB, call.token);
    expect(restoredTexts(resumed.model)).toEqual(['Hi, this is the booking line.', 'Can I book for Friday?']);
    expect(JSON.stringify(resumed.opening)).toContain(RESUME_LINE);
    // The page gets a fresh token for the next drop; the used one is spent.
    const fresh = (await resumed.page.message('resume')) as unknown as { token: string };
    expect(fresh.token).not.toBe(call.token);
    const replay = openPage(wsUrl(taskA, `resume=${encodeURIComponent(call.token)}`));
    expect(await replay.closed).toEqual({ code: 4409, reason: 'token_used' });

    resumed.page.ws.send(JSON.stringify({ type: 'end' }));
    await (taskB.service.registry.get(call.callId) as CallSession | undefined)?.closed;
    expect(await harness.callRecord(call.callId)).toMatchObject({
      status: 'completed',
      endReason: 'caller_hangup',
      telemetry: expect.objectContaining({ resumes: 1 }),
    });
  });

  it('a page that reconnects to the same task before its dropped session has closed resumes there', async () => {
    const call = await browserCall(taskA);
    const first = taskA.service.registry.get(call.callId) as CallSession;
    call.page.ws.terminate();
    // No wait for `first.closed`: the resume races the old session's release on this task.
    const resumed = await resumeOn(taskA, call.token);
    await first.closed;
    expect(restoredTexts(resumed.model)).toEqual(['Hi, this is the booking line.', 'Can I book for Friday?']);
    expect(taskA.service.registry.get(call.callId)).not.toBe(first);
    resumed.page.ws.send(JSON.stringify({ type: 'end' }));
    await (taskA.service.registry.get(call.callId) as CallSession | undefined)?.closed;
    expect(await harness.callRecord(call.callId)).toMatchObject({
      status: 'completed',
      telemetry: expect.objectContaining({ resumes: 1 }),
    });
  });

  it('a draining task tells the page to reconnect, and the call moves', async () => {
    const draining = await harness.startService({}, { leaseTiming: LEASE, taskId: 'web-d' });
    const call = await browserCall(draining);
    await draining.service.drain(0);
    expect(await call.page.closed).toEqual({ code: 4012, reason: 'reconnect' });
    expect((await getCallOwner(harness.db, call.callId))?.state).toBe('handover');
    const resumed = await resumeOn(taskB, call.token);
    expect(restoredTexts(resumed.model)).toHaveLength(2);
    resumed.page.ws.send(JSON.stringify({ type: 'end' }));
    await (taskB.service.registry.get(call.callId) as CallSession | undefined)?.closed;
    expect((await harness.callRecord(call.callId))?.status).toBe('completed');
  });

  it('a page that hung up cannot resume the call', async () => {
    const call = await browserCall(taskA);
    call.page.ws.send(JSON.stringify({ type: 'end' }));
    await (taskA.service.registry.get(call.callId) as CallSession | undefined)?.closed;
    const late = openPage(wsUrl(taskB, `resume=${encodeURIComponent(call.token)}`));
    expect(await late.closed).toEqual({ code: 4404, reason: 'call_unavailable' });
  });
});
