import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signResumeToken } from '#shared/calls/resume-token.ts';
import { getCallOwner } from '#shared/data/call-owners.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { TWILIO_VOICE_PATH } from '#shared/http/webhook-routes.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { connectTwilioMedia, type TwilioMediaClient } from '../../../fakes/twilio/media-client.ts';
import {
  followConnectAction,
  newCallSid,
  parseStreamTwiml,
  sendTwilioWebhook,
  type TwilioWebhookTarget,
  voiceParams,
} from '../../../fakes/twilio/webhooks.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';
import type { CallSession } from '../session/call-session.ts';
import { RESUME_LINE } from './resume-opening.ts';

/**
 * A Twilio call moves between media tasks in one process: two media services share the table and
 * the fake model; Twilio's side is played by the fake stream client and the signed `<Connect
 * action>` requests through the real gateway and webhook handler.
 */
let harness: MediaHarness;
let target: TwilioWebhookTarget;
type Service = Awaited<ReturnType<MediaHarness['startService']>>;
let taskA: Service;
let taskB: Service;
const warnings: { msg: string; reason?: string }[] = [];
const NUMBER = '+14155557301';
const CALLER = '+14155550142';
const LEASE = { leaseMs: 1_000, heartbeatMs: 100, detachedWindowMs: 60_000 };

beforeAll(async () => {
  harness = await startMediaHarness();
  const logger = createLogger({
    level: 'warn',
    write: (line) => warnings.push(JSON.parse(line) as { msg: string; reason?: string }),
  });
  taskA = await harness.startService({}, { leaseTiming: LEASE, taskId: 'task-a', logger });
  taskB = await harness.startService({}, { leaseTiming: LEASE, taskId: 'task-b', logger });
  await createPhoneNumber(harness.db, {
    tenantId: harness.tenantId,
    agentId: harness.agentId,
    number: NUMBER,
    provider: 'twilio',
  });
  target = {
    apiUrl: harness.platform.apiUrl,
    publicUrl: harness.platform.env.PUBLIC_API_URL as string,
    authToken: harness.platform.secrets.TWILIO_AUTH_TOKEN,
  };
}, 60_000);
afterAll(() => harness?.stop());

interface Leg {
  callId: string;
  callSid: string;
  action: string;
  client: TwilioMediaClient;
}

/** The voice webhook's TwiML, then its stream on `service`; the agent greets and the caller speaks. */
async function callInto(
  service: Service,
): Promise<Leg & { model: Awaited<ReturnType<typeof harness.realtime.nextConfigured>> }> {
  const callSid = newCallSid();
  const voice = await sendTwilioWebhook(
    target,
    TWILIO_VOICE_PATH,
    voiceParams({ callSid, from: CALLER, to: NUMBER }),
  );
  const stream = parseStreamTwiml(await voice.text());
  expect(stream.action).toContain('/webhooks/twilio/stream-ended?callId=');
  const before = harness.realtime.connections.length;
  const client = await connectTwilioMedia(service.streamUrl, {
    customParameters: stream.parameters,
    callSid,
    playback: 'instant',
  });
  client.start();
  const model = await harness.realtime.nextConfigured(before);
  await model.waitFor('response.create');
  model.speak('resp_1', 'item_a1', [Buffer.alloc(800, 0x7f)], 'Thanks for calling the clinic.');
  await client.waitFor('mark', (f) => f.mark?.name === 'item_a1:800');
  client.sendAudio(Buffer.alloc(320, 0x11));
  await model.waitFor('input_audio_buffer.append');
  model.speechStarted('item_c1');
  model.speechStopped('item_c1', 100);
  model.callerTranscript('item_c1', 'I need to move my appointment.');
  const callId = stream.parameters.callId as string;
  await waitForTurns(callId, 2);
  return { callId, callSid, action: stream.action as string, client, model };
}

/** Turns are stored as they complete; waits on the table rather than on time. */
async function waitForTurns(callId: string, count: number): Promise<void> {
  while ((await listTranscriptTurns(harness.db, callId)).length < count) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const sessionOn = (service: Service, callId: string) => service.service.registry.get(callId) as CallSession;

async function resumeOn(service: Service, leg: Leg, parameters: Record<string, string>) {
  const before = harness.realtime.connections.length;
  const client = await connectTwilioMedia(service.streamUrl, {
    customParameters: parameters,
    callSid: leg.callSid,
    playback: 'instant',
  });
  client.start();
  return { client, model: await harness.realtime.nextConfigured(before) };
}

const textsOf = (events: { type: string; item?: unknown }[]) =>
  events
    .filter((e) => e.type === 'conversation.item.create')
    .map((e) => (e.item as { content?: { text?: string }[] }).content?.[0]?.text);

describe('a Twilio call survives losing its media task', () => {
  it('a broken stream resumes on another task: conversation restored, resume line, one call with a gap', async () => {
    const leg = await callInto(taskA);
    const first = sessionOn(taskA, leg.callId);
    leg.client.drop();
    await first.closed;
    expect(taskA.service.registry.get(leg.callId)).toBeUndefined();
    expect((await getCallOwner(harness.db, leg.callId))?.state).toBe('detached');

    const action = await followConnectAction(target, leg.action, {
      callSid: leg.callSid,
      from: CALLER,
      to: NUMBER,
    });
    const stream = parseStreamTwiml(action.twiml);
    expect(stream.parameters.resume).toBeTruthy();
    expect(stream.action).toBe(leg.action);
    const resumed = await resumeOn(taskB, leg, stream.parameters);
    const opening = await resumed.model.waitFor('response.create');
    expect(textsOf(resumed.model.received)).toEqual([
      'Thanks for calling the clinic.',
      'I need to move my appointment.',
    ]);
    expect(JSON.stringify(opening)).toContain(RESUME_LINE);
    resumed.model.speak('resp_2', 'item_a2', [Buffer.alloc(800, 0x22)], RESUME_LINE);
    await resumed.client.waitFor('mark', (f) => f.mark?.name === 'item_a2:800');

    await resumed.client.stop();
    await sessionOn(taskB, leg.callId)?.closed;
    const events = await harness.eventsFor(leg.callId, 2);
    expect(events.filter((e) => e.type === 'call.started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'call.ended')).toHaveLength(1);
    const record = await harness.callRecord(leg.callId);
    expect(record).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect(record?.telemetry?.resumes).toBe(1);
    expect(record?.telemetry?.resumeGapsMs).toHaveLength(1);
    expect(record?.usage.responses).toBe(2);
    expect((await listTranscriptTurns(harness.db, leg.callId)).map((t) => [t.seq, t.role, t.text])).toEqual([
      [1, 'agent', 'Thanks for calling the clinic.'],
      [2, 'caller', 'I need to move my appointment.'],
      [3, 'agent', RESUME_LINE],
    ]);
    expect((await getCallOwner(harness.db, leg.callId))?.state).toBe('ended');
    expect(taskB.service.registry.snapshot().liveCalls).toBe(0);
  });

  it('refuses reused, forged and expired resume tokens, and logs each', async () => {
    const leg = await callInto(taskA);
    leg.client.drop();
    await sessionOn(taskA, leg.callId)?.closed;
    const { twiml } = await followConnectAction(target, leg.action, {
      callSid: leg.callSid,
      from: CALLER,
      to: NUMBER,
    });
    const { parameters } = parseStreamTwiml(twiml);
    const resumed = await resumeOn(taskB, leg, parameters);
    await resumed.model.waitFor('response.create');

    const before = harness.realtime.connections.length;
    const attempt = async (resume: string) => {
      const client = await connectTwilioMedia(taskA.streamUrl, {
        customParameters: { callId: leg.callId, resume },
        callSid: leg.callSid,
      });
      client.start();
      return client.closed;
    };
    const token = parameters.resume as string;
    expect(await attempt(token)).toEqual({ code: 1008, reason: 'token_replayed' });
    const forged = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect(await attempt(forged)).toEqual({ code: 1008, reason: 'token_invalid' });
    const expired = await signResumeToken(
      { callId: leg.callId, tenantId: harness.tenantId, provider: 'twilio', generation: 2 },
      harness.platform.secrets.INTERNAL_SIGNING_KEY,
      { nowMs: Date.now() - 120_000 },
    );
    expect(await attempt(expired.token)).toEqual({ code: 1008, reason: 'token_expired' });
    expect(harness.realtime.connections.length).toBe(before);
    const refusals = warnings.filter((w) => w.msg === 'resume refused').map((w) => w.reason);
    expect(refusals).toEqual(expect.arrayContaining(['token_replayed', 'token_invalid', 'token_expired']));
    // The live session on task B was not disturbed by any of them.
    expect(sessionOn(taskB, leg.callId)?.currentState).not.toBe('ended');
    await resumed.client.stop();
  });

  it('answers only signed stream-ended requests', async () => {
    const leg = await callInto(taskA);
    const url = new URL(leg.action);
    const forged = await sendTwilioWebhook(
      target,
      url.pathname,
      voiceParams({ callSid: leg.callSid, from: CALLER, to: NUMBER, callStatus: 'in-progress' }),
      { query: url.search.slice(1), signature: 'forged' },
    );
    expect(forged.status).toBe(403);
    expect((await getCallOwner(harness.db, leg.callId))?.resumeOffers).toBe(0);
    await leg.client.stop();
  });

  it('a call the platform ended is hung up, not resumed', async () => {
    const leg = await callInto(taskA);
    await sessionOn(taskA, leg.callId).close('api_request');
    const action = await followConnectAction(target, leg.action, {
      callSid: leg.callSid,
      from: CALLER,
      to: NUMBER,
    });
    expect(action.twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  });

  it('a task that lost its call to a takeover lets go without ending or billing it', async () => {
    const leg = await callInto(taskA);
    const first = sessionOn(taskA, leg.callId);
    // Twilio reconnected the call elsewhere while task A still ran it (a network split).
    const { token } = await signResumeToken(
      { callId: leg.callId, tenantId: harness.tenantId, provider: 'twilio', generation: 1 },
      harness.platform.secrets.INTERNAL_SIGNING_KEY,
    );
    const resumed = await resumeOn(taskB, leg, { callId: leg.callId, resume: token });
    await resumed.model.waitFor('response.create');
    await first.closed;
    expect((await harness.callRecord(leg.callId))?.status).toBe('in_progress');
    expect((await getCallOwner(harness.db, leg.callId))?.taskId).toBe('task-b');
    await resumed.client.stop();
    await sessionOn(taskB, leg.callId)?.closed;
    const events = await harness.eventsFor(leg.callId, 2);
    expect(events.filter((e) => e.type === 'call.ended')).toHaveLength(1);
  });

  it('a draining task hands its Twilio calls over instead of cutting them', async () => {
    const draining = await harness.startService({}, { leaseTiming: LEASE, taskId: 'task-d' });
    const leg = await callInto(draining);
    await draining.service.drain(0);
    expect(await leg.client.closed).toMatchObject({ code: 1000 });
    expect((await getCallOwner(harness.db, leg.callId))?.state).toBe('handover');
    const { twiml } = await followConnectAction(target, leg.action, {
      callSid: leg.callSid,
      from: CALLER,
      to: NUMBER,
    });
    const resumed = await resumeOn(taskB, leg, parseStreamTwiml(twiml).parameters);
    expect(JSON.stringify(await resumed.model.waitFor('response.create'))).toContain(RESUME_LINE);
    await resumed.client.stop();
    await sessionOn(taskB, leg.callId)?.closed;
    expect(await harness.callRecord(leg.callId)).toMatchObject({
      status: 'completed',
      telemetry: expect.objectContaining({ resumes: 1 }),
    });
  });
});
