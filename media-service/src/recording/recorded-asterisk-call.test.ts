import { describe, expect, it } from 'vitest';
import { getAgent, replaceAgent } from '#shared/data/agents.ts';
import {
  appendsReceived,
  pattern,
  useAsteriskHarness,
} from '../../../test/media-service/asterisk-test-harness.ts';
import { downloadWav, testRecordingsBucket } from '../../../test/recording/recording-s3.ts';
import { MULAW_SILENCE } from './g711.ts';
import { deinterleave } from './recording-frames.ts';

const { media, setup, inboundCall } = useAsteriskHarness();

/** Turns dual-channel recording on for the harness's agent. */
async function recordHarnessAgent() {
  const h = media();
  const agent = await getAgent(h.db, h.tenantId, h.agentId);
  if (!agent) throw new Error('harness agent missing');
  const { id: _i, tenantId: _t, createdAt: _c, updatedAt: _u, ...fields } = agent;
  await replaceAgent(h.db, agent, {
    ...fields,
    recording: { enabled: true, channels: 'dual', retentionDays: 7 },
  });
}

async function storedTracks(callId: string) {
  const record = await media().callRecord(callId);
  const wav = await downloadWav(testRecordingsBucket(), record?.recording?.segments?.['0']?.key as string);
  return { record, wav, ...deinterleave(wav.data) };
}

describe('a recorded Asterisk call (real RTP on loopback)', () => {
  it('stores the caller RTP byte for byte on the left and the paced greeting once on the right', async () => {
    await recordHarnessAgent();
    const s = await setup();
    const { channel, call, model, session, ourRtp } = await inboundCall(s);
    const greeting = pattern(160 * 8, 1);
    model.speak('resp_1', 'item_a1', [greeting], 'Hello.');
    const caller = pattern(160 * 50, 3); // one second of caller RTP, paced
    await s.peer.startSending(ourRtp, caller);
    await appendsReceived(model, caller.length);
    await s.peer.waitForPackets(8);
    s.ari.hangUp(channel.id);
    await session.closed;

    const { record, wav, left, right } = await storedTracks(call.id);
    expect(record?.recording).toMatchObject({ status: 'ready', channels: 'dual', durationSeconds: 1 });
    expect(wav.info).toMatchObject({ formatTag: 7, channels: 2, sampleRate: 8000, dataBytes: 16_000 });
    expect(left).toEqual(caller);
    const at = right.indexOf(greeting);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(right.subarray(0, at).every((b) => b === MULAW_SILENCE)).toBe(true);
    expect(right.subarray(at + greeting.length).every((b) => b === MULAW_SILENCE)).toBe(true);
  });

  it('cuts the agent channel where barge-in stopped the RTP, keeping exactly what the caller heard', async () => {
    await recordHarnessAgent();
    const s = await setup();
    const { channel, call, model, session, ourRtp } = await inboundCall(s);
    const caller = pattern(160 * 100, 3); // two seconds of caller RTP, paced from the start
    const callerSent = s.peer.startSending(ourRtp, caller);
    model.responseCreated('resp_1');
    model.audioDelta('resp_1', 'item_a1', pattern(160 * 100, 2)); // a 2 s reply, sent at once
    await s.peer.waitForPackets(10);
    model.speechStarted('item_c1', 0);
    await model.waitFor('conversation.item.truncate');
    model.responseDone('resp_1', 'cancelled');
    await callerSent;
    await appendsReceived(model, caller.length);
    s.ari.hangUp(channel.id);
    await session.closed;

    const heard = Buffer.concat(s.peer.received.map((p) => p.payload));
    expect(heard.length).toBeGreaterThanOrEqual(160 * 10);
    expect(heard.length).toBeLessThan(160 * 100);
    const { record, wav, left, right } = await storedTracks(call.id);
    expect(record?.recording).toMatchObject({ status: 'ready', channels: 'dual', durationSeconds: 2 });
    expect(wav.info).toMatchObject({ formatTag: 7, channels: 2, sampleRate: 8000, dataBytes: 32_000 });
    expect(left).toEqual(caller);
    const at = right.indexOf(heard);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(right.subarray(0, at).every((b) => b === MULAW_SILENCE)).toBe(true);
    // Cut at the barge-in: the reply's unheard rest is not in the file, only silence after it.
    expect(right.subarray(at + heard.length).every((b) => b === MULAW_SILENCE)).toBe(true);
  });
});
