import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCallOwner } from '#shared/data/call-owners.ts';
import { findCallByProviderId } from '#shared/data/calls.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { type FakeAriServer, startFakeAriServer } from '../fakes/asterisk/ari-server.ts';
import { RESUME_LINE } from '../media-service/src/resume/resume-opening.ts';
import type { MediaProcess } from './media-service/media-process.ts';
import { PERCALL_APP, startPerCallFleet } from './media-service/percall-fleet.ts';
import type { TcpBalancer } from './media-service/tcp-balancer.ts';
import { type MediaHarness, startMediaHarness } from './media-service/twilio-test-harness.ts';

/**
 * Two media-service processes in Asterisk per-call mode behind a TCP load balancer, Asterisk
 * played by the fake ARI server (its per-call connections go to the balancer, as
 * `websocket_client.conf` would point them). The task running a call is killed with SIGKILL: its
 * media socket dies with it (Asterisk hangs the media channel up), Asterisk re-opens the caller's
 * control connection through the balancer with only `ApplicationRegistered`, and the survivor
 * takes the call over with the conversation intact.
 */
const NUMBER = '+14155557501';
let balancer: TcpBalancer;
let harness: MediaHarness;
let ari: FakeAriServer;
const tasks: MediaProcess[] = [];

const pattern = (bytes: number, seed: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 3 + seed) & 0xff));

beforeAll(async () => {
  harness = await startMediaHarness();
  ari = await startFakeAriServer();
  await createPhoneNumber(harness.db, {
    tenantId: harness.tenantId,
    agentId: harness.agentId,
    number: NUMBER,
    provider: 'asterisk',
  });
  const fleet = await startPerCallFleet(ari, {
    taskEnv: {
      // The platform's endpoints (tables, queues) as the harness sees them, not this process's env.
      ...harness.platform.env,
      OPENAI_REALTIME_URL: harness.realtime.url,
      OPENAI_API_KEY: 'sk-test',
      TWILIO_AUTH_TOKEN: '',
      MEDIA_MODEL_POOL_SIZE: '0',
      DRAIN_GRACE_SECONDS: '30',
    },
    stasisDelayMs: 5,
    closeDelayMs: 20,
  });
  balancer = fleet.balancer;
  tasks.push(...fleet.tasks);
}, 90_000);

afterAll(async () => {
  for (const task of tasks) if (task.child.exitCode === null) task.child.kill('SIGKILL');
  await balancer?.close();
  await ari?.close();
  await harness?.stop();
});

describe('an Asterisk per-call media task dies mid-call', () => {
  it('the caller resumes on the other task with the conversation intact; one call, with a gap', async () => {
    const before = harness.realtime.connections.length;
    const channel = ari.placeInboundCall({
      app: PERCALL_APP,
      exten: NUMBER.slice(1),
      callerNumber: '4155550177',
    });
    const model = await harness.realtime.nextConfigured(before);
    await model.waitFor('response.create');
    const call = await findCallByProviderId(harness.db, 'asterisk', channel.id);
    if (!call) throw new Error('no call record');
    const mediaChannelId = `ai-caller-media-${call.id}`;
    await ari.waitUntil(() => ari.bridges.get(`ai-caller-bridge-${call.id}`)?.channels.length === 2);
    // One exchange: the greeting heard in full, then the caller's question.
    model.speak('r1', 'item_a1', [pattern(160 * 3, 1)], 'Hello, how can I help?');
    const oldMedia = ari.mediaSockets.get(mediaChannelId)!;
    await ari.waitUntil(() => oldMedia.received.length >= 3);
    model.speechStarted('item_c1');
    model.speechStopped('item_c1', 100);
    model.callerTranscript('item_c1', 'Do you deliver on Saturdays?');
    while ((await listTranscriptTurns(harness.db, call.id)).length < 2)
      await new Promise((r) => setImmediate(r));
    const owner = await getCallOwner(harness.db, call.id);
    const victim = tasks.find((t) => t.taskId === owner?.taskId)!;
    const survivor = tasks.find((t) => t !== victim)!;

    const resumedFrom = harness.realtime.connections.length;
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBeNull();
    // The media channel died with its task; the caller is still up, alone in the call's bridge.
    await ari.waitUntil(() => !ari.channels.has(mediaChannelId));
    expect(ari.channels.has(channel.id)).toBe(true);

    const resumed = await harness.realtime.nextConfigured(resumedFrom);
    const opening = await resumed.waitFor('response.create');
    expect(JSON.stringify(opening)).toContain(RESUME_LINE);
    const restored = resumed.received
      .filter((e) => e.type === 'conversation.item.create')
      .map((e) => (e.item as { content: { text: string }[] }).content[0]?.text);
    expect(restored).toEqual(['Hello, how can I help?', 'Do you deliver on Saturdays?']);
    const reopened = ari.perCallConnections.find((c) => c.reconnect && c.channelId === channel.id);
    expect(reopened).toBeDefined();

    // The caller's audio reaches the model again, over a new media channel in the same bridge.
    const taken = await getCallOwner(harness.db, call.id);
    expect(taken?.taskId).toBe(survivor.taskId);
    const newMediaId = `${mediaChannelId}-r${taken?.generation}`;
    await ari.waitUntil(
      () => ari.bridges.get(`ai-caller-bridge-${call.id}`)?.channels.includes(newMediaId) ?? false,
    );
    const audio = pattern(160 * 3, 7);
    await ari.sendMedia(newMediaId, audio);
    await resumed.waitFor('input_audio_buffer.append', () => resumed.receivedAudio().length >= 480);
    expect(resumed.receivedAudio().subarray(0, 480)).toEqual(audio);

    ari.hangUp(channel.id);
    await survivor.logged('call closed', (e) => e.callId === call.id);
    await ari.waitUntil(() => ari.channels.size === 0 && ari.bridges.size === 0);
    const events = await harness.eventsFor(call.id, 2);
    expect(events.filter((e) => e.type === 'call.started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'call.ended')).toHaveLength(1);
    const record = await harness.callRecord(call.id);
    expect(record).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect(record?.telemetry?.resumes).toBe(1);
    expect(record?.telemetry?.resumeGapsMs).toHaveLength(1);
  }, 60_000);
});
