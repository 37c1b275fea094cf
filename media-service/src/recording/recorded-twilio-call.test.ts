import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MULAW_SILENCE } from './g711.ts';
import { deinterleave } from './recording-frames.ts';
import type { FakeRealtimeConnection } from '../../../fakes/realtime/scripted-server.ts';
import type { CallSession } from '../session/call-session.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';
import { downloadWav, testRecordingsBucket } from '../../../test/recording/recording-s3.ts';

let harness: MediaHarness;
let streamUrl: string;
let service: Awaited<ReturnType<MediaHarness['startService']>>['service'];

beforeAll(async () => {
  harness = await startMediaHarness();
  ({ service, streamUrl } = await harness.startService());
}, 60_000);
afterAll(() => harness?.stop());

/** One second of μ-law at 8 kHz. */
const SECOND = 8000;
/** Caller speech: a byte that is never μ-law silence, distinct from the agent's. */
const CALLER = 0x21;
const GREETING = 0x42;
const REPLY = 0x63;

async function appendsReceived(model: FakeRealtimeConnection, bytes: number): Promise<void> {
  await model.waitFor('input_audio_buffer.append', () => model.receivedAudio().length >= bytes);
}

/** Runs of equal bytes, `[byte, length]`, to compare tracks readably. */
function runs(track: Buffer): [number, number][] {
  const out: [number, number][] = [];
  for (const byte of track) {
    const last = out[out.length - 1];
    if (last && last[0] === byte) last[1]++;
    else out.push([byte, 1]);
  }
  return out;
}

async function recordedCall(recording: Record<string, unknown> | undefined) {
  const agent = await harness.newAgent(recording ? ({ recording } as never) : {});
  const { call, token } = await harness.newCall({ agentId: agent.id });
  const before = harness.realtime.connections.length;
  const client = await harness.connect(streamUrl, token, call);
  const model = await harness.realtime.nextConfigured(before);
  const greeting = await model.waitFor('response.create');
  const session = service.registry.get(call.id) as CallSession;
  return { call, client, model, session, greeting };
}

describe('a recorded Twilio call', () => {
  it('stores a dual-channel μ-law WAV: caller left, agent right as heard, silent after the barge-in cut', async () => {
    const { call, client, model, session, greeting } = await recordedCall({
      enabled: true,
      channels: 'dual',
      retentionDays: 30,
      disclosure: 'This call is recorded for quality.',
    });
    // The disclosure is said before the greeting.
    expect(JSON.stringify(greeting)).toContain('This call is recorded for quality.');

    // 0–1 s: the caller's line before the agent speaks.
    client.sendAudio(Buffer.alloc(SECOND, CALLER));
    await appendsReceived(model, SECOND);
    // The greeting (1 s) plays from 1 s to 2 s while the caller's line carries on to 2.5 s.
    model.responseCreated('resp_1');
    for (let i = 0; i < 10; i++) model.audioDelta('resp_1', 'item_a1', Buffer.alloc(800, GREETING));
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a1:8000');
    model.responseDone('resp_1');
    client.sendAudio(Buffer.alloc(1.5 * SECOND, CALLER));
    client.play(1000);
    await appendsReceived(model, 2.5 * SECOND);
    // A 2 s reply starts at 2.5 s; the caller hears 500 ms of it and talks over it.
    model.responseCreated('resp_2');
    for (let i = 0; i < 20; i++) model.audioDelta('resp_2', 'item_a2', Buffer.alloc(800, REPLY));
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a2:16000');
    client.play(500);
    client.sendAudio(Buffer.alloc(0.5 * SECOND, CALLER));
    await appendsReceived(model, 3 * SECOND);
    model.speechStarted('item_c1', 2900);
    await client.waitFor('clear');
    // The caller goes on for 2 s more, then hangs up at 5 s.
    client.sendAudio(Buffer.alloc(2 * SECOND, CALLER));
    await appendsReceived(model, 5 * SECOND);
    await client.stop();
    await session.closed;

    const record = await harness.callRecord(call.id);
    expect(record?.recording).toMatchObject({
      status: 'ready',
      channels: 'dual',
      retentionDays: 30,
      durationSeconds: 5,
      bytes: 58 + 10 * SECOND,
    });
    expect(record?.recording?.segments?.['0']?.key).toBe(`recordings/${call.tenantId}/${call.id}.wav`);
    expect(record?.recording?.segments?.['0']?.uploadId).toBeUndefined();
    const wav = await downloadWav(testRecordingsBucket(), record?.recording?.segments?.['0']?.key as string);
    expect(wav.info).toMatchObject({ formatTag: 7, channels: 2, sampleRate: 8000, bitsPerSample: 8 });
    expect(wav.info.dataBytes).toBe(10 * SECOND);
    expect(wav.bytes).toBe(58 + 10 * SECOND);
    const { left, right } = deinterleave(wav.data);
    expect(runs(left)).toEqual([[CALLER, 5 * SECOND]]);
    expect(runs(right)).toEqual([
      [MULAW_SILENCE, SECOND],
      [GREETING, SECOND],
      [MULAW_SILENCE, 0.5 * SECOND],
      [REPLY, 0.5 * SECOND], // cut here: the rest of the reply was never heard
      [MULAW_SILENCE, 2 * SECOND],
    ]);
    const events = await harness.eventsFor(call.id, 3);
    expect(events.find((e) => e.type === 'call.recording_ready')).toMatchObject({
      durationSeconds: 5,
      channels: 'dual',
      bytes: 58 + 10 * SECOND,
    });
  });

  it('mono mixes both sides into one channel', async () => {
    const { call, client, model, session } = await recordedCall({
      enabled: true,
      channels: 'mono',
      retentionDays: 7,
    });
    client.sendAudio(Buffer.alloc(SECOND, CALLER));
    await appendsReceived(model, SECOND);
    model.responseCreated('resp_1');
    for (let i = 0; i < 5; i++)
      model.audioDelta('resp_1', 'item_a1', Buffer.alloc(800, MULAW_SILENCE ^ 0x10));
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a1:4000');
    client.sendAudio(Buffer.alloc(SECOND, MULAW_SILENCE));
    client.play(500);
    await appendsReceived(model, 2 * SECOND);
    await client.stop();
    await session.closed;
    const record = await harness.callRecord(call.id);
    expect(record?.recording).toMatchObject({ status: 'ready', channels: 'mono', durationSeconds: 2 });
    const wav = await downloadWav(testRecordingsBucket(), record?.recording?.segments?.['0']?.key as string);
    expect(wav.info.channels).toBe(1);
    expect(runs(wav.data)).toEqual([
      [CALLER, SECOND],
      [MULAW_SILENCE ^ 0x10, 0.5 * SECOND],
      [MULAW_SILENCE, 0.5 * SECOND],
    ]);
  });

  it('records nothing, and discloses nothing, when the agent does not record', async () => {
    for (const recording of [undefined, { enabled: false, disclosure: 'This call is recorded.' }]) {
      const { call, client, model, session, greeting } = await recordedCall(recording as never);
      expect(JSON.stringify(greeting)).not.toContain('recorded');
      client.sendAudio(Buffer.alloc(SECOND, CALLER));
      await appendsReceived(model, SECOND);
      await client.stop();
      await session.closed;
      expect((await harness.callRecord(call.id))?.recording).toBeUndefined();
    }
  });
});
