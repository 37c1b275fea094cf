import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCallOwner } from '#shared/data/call-owners.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { MEDIA_HEALTH_PATH } from '#shared/health/media-paths.ts';
import { TWILIO_VOICE_PATH } from '#shared/http/webhook-routes.ts';
import type { FakeRealtimeConnection } from '../fakes/realtime/scripted-server.ts';
import { connectTwilioMedia, type TwilioMediaClient } from '../fakes/twilio/media-client.ts';
import {
  followConnectAction,
  newCallSid,
  parseStreamTwiml,
  sendTwilioWebhook,
  type TwilioWebhookTarget,
  voiceParams,
} from '../fakes/twilio/webhooks.ts';
import { RESUME_LINE } from '../media-service/src/resume/resume-opening.ts';
import { type MediaProcess, startMediaProcess } from './media-service/media-process.ts';
import type { TcpBalancer } from './media-service/tcp-balancer.ts';
import type { MediaHarness } from './media-service/twilio-test-harness.ts';
import { startTwilioFleet, type TwilioFleet } from './media-service/twilio-fleet.ts';

/**
 * Two media-service processes behind a TCP load balancer, Twilio played by the fake stream client
 * and signed webhooks through the real gateway. One process is killed with SIGKILL in the middle
 * of its calls: Twilio follows each call's `<Connect action>`, the load balancer gives the new
 * stream to the survivor, and the callers hear the agent again with the conversation intact.
 */
let fleet: TwilioFleet;
let balancer: TcpBalancer;
let harness: MediaHarness;
let target: TwilioWebhookTarget;
let tasks: MediaProcess[];
const NUMBER = '+14155557401';
const CALLER = '+14155550143';

beforeAll(async () => {
  fleet = await startTwilioFleet({ DRAIN_GRACE_SECONDS: '30' });
  ({ balancer, harness, target, tasks } = fleet);
  await createPhoneNumber(harness.db, {
    tenantId: harness.tenantId,
    agentId: harness.agentId,
    number: NUMBER,
    provider: 'twilio',
  });
}, 90_000);

afterAll(() => fleet?.stop());

interface LiveCall {
  callId: string;
  callSid: string;
  action: string;
  client: TwilioMediaClient;
  model: FakeRealtimeConnection;
  taskId: string;
}

/** A call as Twilio places it: the voice webhook, its stream through the balancer, one exchange. */
async function placeCall(turn: string): Promise<LiveCall> {
  const callSid = newCallSid();
  const voice = await sendTwilioWebhook(
    target,
    TWILIO_VOICE_PATH,
    voiceParams({ callSid, from: CALLER, to: NUMBER }),
  );
  const stream = parseStreamTwiml(await voice.text());
  expect(stream.url).toBe(`ws://127.0.0.1:${balancer.port}/twilio/stream`);
  const before = harness.realtime.connections.length;
  const client = await connectTwilioMedia(stream.url as string, {
    customParameters: stream.parameters,
    callSid,
    playback: 'instant',
  });
  client.start();
  const model = await harness.realtime.nextConfigured(before);
  // The greeting is requested once the call is started and owned.
  await model.waitFor('response.create');
  const callId = stream.parameters.callId as string;
  model.speak(`r_${callId}`, `a_${callId}`, [Buffer.alloc(800, 0x7f)], 'Hello, how can I help?');
  await client.waitFor('mark', (f) => f.mark?.name === `a_${callId}:800`);
  client.sendAudio(Buffer.alloc(320, 0x11));
  await model.waitFor('input_audio_buffer.append');
  model.speechStarted(`c_${callId}`);
  model.speechStopped(`c_${callId}`, 100);
  model.callerTranscript(`c_${callId}`, turn);
  while ((await listTranscriptTurns(harness.db, callId)).length < 2)
    await new Promise((r) => setImmediate(r));
  const owner = await getCallOwner(harness.db, callId);
  return { callId, callSid, action: stream.action as string, client, model, taskId: owner?.taskId as string };
}

const liveCalls = async (task: MediaProcess) => {
  const response = await fetch(`http://127.0.0.1:${task.port}${MEDIA_HEALTH_PATH}`);
  return ((await response.json()) as { calls: { liveCalls: number } }).calls.liveCalls;
};

describe('a media task dies mid-call', () => {
  it('its callers resume on the other task with the conversation intact; one call each, with a gap; nothing leaks', async () => {
    const calls: LiveCall[] = [];
    for (let i = 0; i < 4; i++) calls.push(await placeCall(`Question number ${i}.`));
    const [first, second] = tasks as [MediaProcess, MediaProcess];
    // Calls spread over both tasks.
    expect(new Set(calls.map((c) => c.taskId))).toEqual(new Set([first.taskId, second.taskId]));
    const victims = calls.filter((c) => c.taskId === first.taskId);
    const survivors = calls.filter((c) => c.taskId === second.taskId);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    for (const victim of victims) {
      expect((await victim.client.closed).code).toBe(1006);
      // The model sockets of the dead task close with it.
      await victim.model.closed;
      const action = await followConnectAction(target, victim.action, {
        callSid: victim.callSid,
        from: CALLER,
        to: NUMBER,
      });
      const stream = parseStreamTwiml(action.twiml);
      expect(stream.parameters.resume).toBeTruthy();
      const before = harness.realtime.connections.length;
      const client = await connectTwilioMedia(stream.url as string, {
        customParameters: stream.parameters,
        callSid: victim.callSid,
        playback: 'instant',
      });
      client.start();
      const model = await harness.realtime.nextConfigured(before);
      const opening = await model.waitFor('response.create');
      expect(JSON.stringify(opening)).toContain(RESUME_LINE);
      const restored = model.received
        .filter((e) => e.type === 'conversation.item.create')
        .map((e) => (e.item as { content: { text: string }[] }).content[0]?.text);
      const turns = await listTranscriptTurns(harness.db, victim.callId);
      expect(restored).toEqual(turns.map((t) => t.text));
      expect(restored).toHaveLength(2);
      // The caller hears the agent again.
      model.speak(`r2_${victim.callId}`, `a2_${victim.callId}`, [Buffer.alloc(800, 0x22)], RESUME_LINE);
      await client.waitFor('mark', (f) => f.mark?.name === `a2_${victim.callId}:800`);
      expect((await getCallOwner(harness.db, victim.callId))?.taskId).toBe(second.taskId);
      Object.assign(victim, { client, model });
    }

    // The survivor's own calls were untouched.
    for (const call of survivors) {
      call.client.sendAudio(Buffer.alloc(160, 0x12));
      const appended = call.model.received.filter((e) => e.type === 'input_audio_buffer.append').length;
      await call.model.waitFor(
        'input_audio_buffer.append',
        () => call.model.received.filter((e) => e.type === 'input_audio_buffer.append').length > appended,
      );
    }

    for (const call of calls) {
      await call.client.stop();
      await second.logged('call closed', (e) => e.callId === call.callId);
    }
    expect(await liveCalls(second)).toBe(0);
    for (const call of calls) await call.model.closed;
    for (const call of calls) {
      const events = await harness.eventsFor(call.callId, 2);
      expect(events.filter((e) => e.type === 'call.started')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'call.ended')).toHaveLength(1);
      const record = await harness.callRecord(call.callId);
      expect(record).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
      const resumed = victims.includes(call);
      expect(record?.telemetry?.resumes ?? 0).toBe(resumed ? 1 : 0);
      if (resumed) expect(record?.telemetry?.resumeGapsMs).toHaveLength(1);
      const seqs = (await listTranscriptTurns(harness.db, call.callId)).map((t) => t.seq);
      expect(seqs).toEqual(resumed ? [1, 2, 3] : [1, 2]);
    }
  }, 60_000);

  it('a forged resume token is refused through the balancer', async () => {
    const client = await connectTwilioMedia(`ws://127.0.0.1:${balancer.port}/twilio/stream`, {
      customParameters: { callId: 'call_forged', resume: 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl' },
    });
    client.start();
    expect(await client.closed).toEqual({ code: 1008, reason: 'token_invalid' });
  });

  it('a draining task takes no new calls', async () => {
    const second = tasks[1] as MediaProcess;
    const third = await startMediaProcess(fleet.env);
    tasks.push(third);
    balancer.setBackends([second.port, third.port]);
    await balancer.waitForHealthy([second.port, third.port]);
    second.child.kill('SIGTERM');
    await second.logged('draining');
    await balancer.waitForHealthy([third.port]);
    const call = await placeCall('Are you open on Sunday?');
    expect(call.taskId).toBe(third.taskId);
    expect(await second.exited).toBe(0);
    await call.client.stop();
    await third.logged('call closed', (e) => e.callId === call.callId);
  }, 60_000);
});
