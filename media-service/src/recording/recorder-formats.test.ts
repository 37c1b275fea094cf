import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCall, getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../../test/platform.ts';
import { downloadWav, testRecordingsBucket } from '../../../test/recording/recording-s3.ts';
import type { TransportAudioFormat } from '../session/call-transport.ts';
import { CallRecorder } from './call-recorder.ts';
import { linearToMulaw, MULAW_SILENCE, mulawToLinear } from './g711.ts';
import { deinterleave } from './recording-frames.ts';

let platform: TestPlatform;
let tenantId: string;
let agentId: string;
let spoolDir: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  ({
    tenant: { id: tenantId },
    agentId,
  } = await createTestTenant({ maxConcurrentCalls: 20, requestsPerSecond: 1000 }));
  spoolDir = await mkdtemp(join(tmpdir(), 'recorder-formats-'));
}, 60_000);
afterAll(async () => {
  await rm(spoolDir, { recursive: true, force: true });
  await platform?.stop();
});

async function record(format: TransportAudioFormat, caller: Buffer, agent: Buffer) {
  const { call } = await createCall(
    dbFromEnv(),
    {
      tenantId,
      agentId,
      direction: 'inbound',
      provider: 'web',
      from: 'web',
      to: agentId,
      status: 'in_progress',
    },
    { maxConcurrentCalls: 20 },
  );
  const recorder = new CallRecorder({
    call: { tenantId, callId: call.id, agentId },
    channels: 'dual',
    retentionDays: 1,
    format,
    target: testRecordingsBucket(),
    db: dbFromEnv(),
    logger: createLogger({ level: 'error' }),
    spoolDir,
    publish: { sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv() },
  });
  recorder.agentAudio('item_1', { base64: agent.toString('base64'), byteLength: agent.length });
  // The caller's leg delivers its audio in 20 ms frames.
  const frame = caller.length / 50;
  for (let i = 0; i < caller.length; i += frame) recorder.callerAudio(caller.subarray(i, i + frame));
  await recorder.close();
  const stored = await getCall(dbFromEnv(), tenantId, call.id);
  const wav = await downloadWav(testRecordingsBucket(), stored?.recording?.segments?.['0']?.key as string);
  return { stored, wav, ...deinterleave(wav.data) };
}

/** PCM16 LE at 24 kHz: a tone, or silence. */
function pcm24k(seconds: number, hz: number, amplitude: number): Buffer {
  const samples = seconds * 24_000;
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    out.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 24_000)), 2 * i);
  return out;
}

const rms = (mulaw: Buffer) =>
  Math.sqrt(mulaw.reduce((sum, b) => sum + mulawToLinear(b) ** 2, 0) / mulaw.length);

describe('recordings of every transport format', () => {
  it('browser calls (PCM16 24 kHz) are down-sampled to 8 kHz μ-law with the right length and level', async () => {
    // One second of the agent (a 440 Hz tone) while the caller's line carries two seconds of a
    // quieter 1 kHz tone.
    const { stored, wav, left, right } = await record(
      { type: 'audio/pcm', rate: 24000 },
      pcm24k(2, 1000, 4000),
      pcm24k(1, 440, 12000),
    );
    expect(stored?.recording).toMatchObject({ status: 'ready', durationSeconds: 2 });
    expect(wav.info).toMatchObject({ formatTag: 7, channels: 2, sampleRate: 8000 });
    expect(left.length).toBe(16_000);
    // Filter warm-up aside, each tone keeps its level (RMS = amplitude / √2) within 5 %.
    expect(rms(left.subarray(100)) / (4000 / Math.SQRT2)).toBeCloseTo(1, 1);
    expect(rms(right.subarray(100, 8000)) / (12000 / Math.SQRT2)).toBeCloseTo(1, 1);
    expect(right.subarray(8016).every((b) => b === MULAW_SILENCE)).toBe(true);
  });

  it('A-law legs are converted to μ-law', async () => {
    // A-law 0xd5 is +8 and 0xaa is +32256 (G.711 tables).
    const { left, right } = await record(
      { type: 'audio/pcma' },
      Buffer.alloc(8000, 0xd5),
      Buffer.alloc(800, 0xaa),
    );
    expect(left.every((b) => b === linearToMulaw(8))).toBe(true);
    expect(right.subarray(0, 800).every((b) => b === linearToMulaw(32256))).toBe(true);
    expect(right.subarray(800).every((b) => b === MULAW_SILENCE)).toBe(true);
  });
});
