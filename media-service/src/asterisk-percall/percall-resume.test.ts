import { describe, expect, it } from 'vitest';
import { getCallOwner, releaseCallOwner } from '#shared/data/call-owners.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { createLogger } from '#shared/logging/logger.ts';
import type { FakeChannel } from '../../../fakes/asterisk/ari-server.ts';
import type { FakeRealtimeConnection } from '../../../fakes/realtime/scripted-server.ts';
import {
  type PerCallSetup,
  usePerCallHarness,
} from '../../../test/media-service/asterisk-percall-harness.ts';
import { RESUME_LINE } from '../resume/resume-opening.ts';
import type { CallSession } from '../session/call-session.ts';
import { callIdOfBridge, resumedMediaChannelId } from './percall-resume.ts';

const { setup, inboundCall, media } = usePerCallHarness();

const pattern = (bytes: number, seed: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 5 + seed) & 0xff));

/**
 * As a load balancer might: a caller's first connection lands on the first task, any later one
 * (Asterisk re-connecting it) on the second; media channels' connections on the second too (a
 * draining first task would refuse them, and a load balancer would not send them there).
 */
function firstThenSecond() {
  const seen = new Set<string>();
  return (channel: FakeChannel) => {
    if (channel.name.startsWith('WebSocket/')) return 1;
    const again = seen.has(channel.id);
    seen.add(channel.id);
    return again ? 1 : 0;
  };
}

/** One exchange on a live call, stored: the agent's greeting and the caller's question. */
async function converse(
  s: PerCallSetup,
  live: { call: { id: string }; model: FakeRealtimeConnection; mediaChannelId: string },
  question: string,
) {
  const { call, model } = live;
  model.speak('r1', 'item_a1', [pattern(160 * 3, 1)], 'Hello, how can I help?');
  // Heard in full before the caller speaks (a barge-in would cut the greeting short).
  const socket = s.ari.mediaSockets.get(live.mediaChannelId)!;
  await s.ari.waitUntil(() => socket.received.length >= 3);
  model.speechStarted('item_c1');
  model.speechStopped('item_c1', 100);
  model.callerTranscript('item_c1', question);
  while ((await listTranscriptTurns(media().db, call.id)).length < 2)
    await new Promise((r) => setImmediate(r));
}

/** The model session of the resumed call: its restored conversation and the resume line. */
async function resumedModel(before: number, callId: string) {
  const model = await media().realtime.nextConfigured(before);
  const opening = await model.waitFor('response.create');
  expect(JSON.stringify(opening)).toContain(RESUME_LINE);
  const restored = model.received
    .filter((e) => e.type === 'conversation.item.create')
    .map((e) => (e.item as { content: { text: string }[] }).content[0]?.text);
  expect(restored).toEqual((await listTranscriptTurns(media().db, callId)).map((t) => t.text));
  return { model, restored };
}

async function bridgedWithNewMedia(s: PerCallSetup, callId: string, callerId: string) {
  const owner = await getCallOwner(media().db, callId);
  const mediaId = resumedMediaChannelId(callId, owner?.generation ?? -1);
  await s.ari.waitUntil(() => {
    const channels = s.ari.bridges.get(`ai-caller-bridge-${callId}`)?.channels ?? [];
    return channels.length === 2 && channels.includes(callerId) && channels.includes(mediaId);
  });
  return mediaId;
}

describe('callIdOfBridge', () => {
  it.each([
    ['ai-caller-bridge-call_01ABC', 'call_01ABC'],
    ['ai-caller-bridge-', undefined],
    ['ai-caller-hold-call_01ABC', undefined],
    ['someone-elses-bridge', undefined],
    ['ai-caller-bridge-call/../x', undefined],
  ])('%s → %s', (bridgeId, callId) => {
    expect(callIdOfBridge(bridgeId)).toBe(callId);
  });
});

describe('Asterisk per-call call resume', () => {
  it('a call whose control connection dropped continues on the task Asterisk reconnects it to, conversation intact', async () => {
    const s = await setup({ tasks: 2, pick: firstThenSecond(), resume: true });
    const [a, b] = s.tasks as [(typeof s.tasks)[0], (typeof s.tasks)[0]];
    const live = await inboundCall(s);
    expect(live.owner).toBe(a);
    await converse(s, live, 'Is the shop open on Sunday?');
    const before = media().realtime.connections.length;

    s.ari.dropPerCallConnection(live.channel.id);
    // The first task lets the call go without hanging the caller up.
    await live.session.closed;
    const { model, restored } = await resumedModel(before, live.call.id);
    expect(restored).toEqual(['Hello, how can I help?', 'Is the shop open on Sunday?']);
    const mediaId = await bridgedWithNewMedia(s, live.call.id, live.channel.id);
    expect(s.ari.channels.has(live.mediaChannelId)).toBe(false);
    expect(s.ari.channels.has(live.channel.id)).toBe(true);
    expect(a.service.registry.get(live.call.id)).toBeUndefined();
    const session = b.service.registry.get(live.call.id) as CallSession;
    expect(session).toBeDefined();
    expect((await getCallOwner(media().db, live.call.id))?.taskId).toBe(b.service.sessionDeps.taskId);

    // Audio both ways over the new media channel.
    const audio = pattern(160 * 3, 9);
    await s.ari.sendMedia(mediaId, audio);
    await model.waitFor('input_audio_buffer.append', () => model.receivedAudio().length >= 480);
    expect(model.receivedAudio().subarray(0, 480)).toEqual(audio);
    model.speak('r2', 'item_a2', [pattern(160 * 2, 3)], RESUME_LINE);
    const socket = s.ari.mediaSockets.get(mediaId)!;
    await s.ari.waitUntil(() => socket.received.length >= 2);
    expect(Buffer.concat(socket.received)).toEqual(pattern(160 * 2, 3));

    s.ari.hangUp(live.channel.id);
    await session.closed;
    await s.ari.waitUntil(() => s.ari.channels.size === 0 && s.ari.bridges.size === 0);
    // One call: started once, ended once, with the resume and its gap in its telemetry.
    const events = await media().eventsFor(live.call.id, 2);
    expect(events.filter((e) => e.type === 'call.started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'call.ended')).toHaveLength(1);
    const record = await media().callRecord(live.call.id);
    expect(record).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect(record?.telemetry?.resumes).toBe(1);
    expect(record?.telemetry?.resumeGapsMs).toHaveLength(1);
    expect((await listTranscriptTurns(media().db, live.call.id)).map((t) => t.seq)).toEqual([1, 2, 3]);
  }, 30_000);

  it('a call that already ended is not resumed: the re-connected caller is hung up, no model session starts', async () => {
    const s = await setup({ tasks: 2, pick: firstThenSecond(), resume: true });
    const [, b] = s.tasks as [(typeof s.tasks)[0], (typeof s.tasks)[0]];
    const live = await inboundCall(s);
    const owner = await getCallOwner(media().db, live.call.id);
    // Ended elsewhere (an API hang-up) while its leg was still up: its ownership says so.
    expect(await releaseCallOwner(media().db, owner!, 'ended', 'api_request')).toBe(true);
    const before = media().realtime.connections.length;
    s.ari.dropPerCallConnection(live.channel.id);
    await live.session.closed;
    await s.ari.waitUntil(() => !s.ari.channels.has(live.channel.id) && s.ari.bridges.size === 0);
    const reopened = s.ari.perCallConnections.find((c) => c.reconnect && c.channelId === live.channel.id)!;
    expect(reopened.target).toBe(b.url);
    expect(b.service.registry.get(live.call.id)).toBeUndefined();
    expect(media().realtime.connections.length).toBe(before);
    expect((await getCallOwner(media().db, live.call.id))?.generation).toBe(owner!.generation);
  }, 30_000);

  it('a duplicate re-connection for a call its owner still runs is held: the call goes on untouched', async () => {
    let held: () => void = () => undefined;
    const heldLogged = new Promise<void>((resolve) => {
      held = resolve;
    });
    const logger = createLogger({
      level: 'warn',
      write: (line) => {
        if ((JSON.parse(line) as { msg: string }).msg.startsWith('asterisk call still run by its owner'))
          held();
      },
    });
    const s = await setup({
      resume: true,
      unclaimedAfterMs: 50,
      leaseTiming: { leaseMs: 600, heartbeatMs: 100, detachedWindowMs: 30_000 },
      logger,
    });
    const live = await inboundCall(s);
    const owner = await getCallOwner(media().db, live.call.id);
    // A second connection naming the live caller, while its own connection and media are fine.
    const duplicate = s.ari.openPerCallForUnknownChannel(live.channel.name);
    await heldLogged;
    expect((await getCallOwner(media().db, live.call.id))?.generation).toBe(owner?.generation);
    expect(duplicate.closeCode).toBeUndefined();
    expect(s.ari.bridges.get(`ai-caller-bridge-${live.call.id}`)?.channels).toEqual([
      live.channel.id,
      live.mediaChannelId,
    ]);
    // Still the owner's call: its audio flows and it ends normally.
    const audio = pattern(160 * 2, 6);
    await s.ari.sendMedia(live.mediaChannelId, audio);
    await live.model.waitFor('input_audio_buffer.append', () => live.model.receivedAudio().length >= 320);
    expect(live.model.receivedAudio().subarray(0, 320)).toEqual(audio);
    s.ari.hangUp(live.channel.id);
    await live.session.closed;
    expect(await media().callRecord(live.call.id)).toMatchObject({ endReason: 'caller_hangup' });
  }, 30_000);

  it('closes a re-connection for a channel Asterisk no longer has, cleanly, with resume on', async () => {
    const s = await setup({ resume: true, unclaimedAfterMs: 50 });
    const ghost = s.ari.openPerCallForUnknownChannel('PJSIP/trunk-00000043');
    await s.ari.waitUntil(() => ghost.closeCode !== undefined);
    expect(ghost.closeCode).toBe(1000);
    expect(s.tasks[0]!.transport.calls.size).toBe(0);
  });

  it('a draining task hands its call over at grace end: Asterisk reconnects it to another task, which resumes it', async () => {
    const s = await setup({ tasks: 2, pick: firstThenSecond(), resume: true });
    const [a, b] = s.tasks as [(typeof s.tasks)[0], (typeof s.tasks)[0]];
    const live = await inboundCall(s);
    expect(live.owner).toBe(a);
    await converse(s, live, 'Can I change my booking?');
    const before = media().realtime.connections.length;

    const drained = a.service.drain(50);
    await live.session.closed;
    const { model } = await resumedModel(before, live.call.id);
    await drained;
    await bridgedWithNewMedia(s, live.call.id, live.channel.id);
    // The hand-over closed the control connection on purpose ("going away"); the caller stayed up.
    const handedOver = s.ari.perCallConnections.find((c) => c.channelId === live.channel.id && !c.reconnect)!;
    expect(handedOver.closeCode).toBe(1001);
    expect(s.ari.channels.has(live.channel.id)).toBe(true);
    const session = b.service.registry.get(live.call.id) as CallSession;
    model.speak('r2', 'item_a2', [pattern(160, 4)], RESUME_LINE);
    s.ari.hangUp(live.channel.id);
    await session.closed;
    const record = await media().callRecord(live.call.id);
    expect(record).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect(record?.telemetry?.resumes).toBe(1);
  }, 30_000);
});
