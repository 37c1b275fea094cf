import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCall, getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { RECORDING_LEASE_MS } from '#shared/recordings/recording-store.ts';
import { segmentParts } from '#shared/recordings/recording-segments.ts';
import { sweepRecordings } from '#shared/recordings/sweep-recordings.ts';
import { UNKNOWN_SIZE, WAV_HEADER_BYTES } from '#shared/recordings/wav-header.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../../test/platform.ts';
import { downloadWav, objectExists, testRecordingsBucket } from '../../../test/recording/recording-s3.ts';
import { CallRecorder, type CallRecorderOptions, MIN_PART_BYTES } from './call-recorder.ts';
import { MULAW_SILENCE } from './g711.ts';
import { deinterleave } from './recording-frames.ts';

let platform: TestPlatform;
let tenantId: string;
let agentId: string;
let spoolDir: string;
const logger = createLogger({ level: 'error' });

beforeAll(async () => {
  platform = await startTestPlatform();
  ({
    tenant: { id: tenantId },
    agentId,
  } = await createTestTenant({ maxConcurrentCalls: 20, requestsPerSecond: 1000 }));
  spoolDir = await mkdtemp(join(tmpdir(), 'recording-crash-'));
}, 60_000);
afterAll(async () => {
  await rm(spoolDir, { recursive: true, force: true });
  await platform?.stop();
});

async function newCall() {
  const { call } = await createCall(
    dbFromEnv(),
    {
      tenantId,
      agentId,
      direction: 'inbound',
      provider: 'twilio',
      from: '+14155550100',
      to: '+14155550199',
      status: 'in_progress',
    },
    { maxConcurrentCalls: 20 },
  );
  return call;
}

function recorderFor(
  callId: string,
  onReady: CallRecorderOptions['onReady'] = async () => {
    throw new Error('a recorder whose task died never finishes');
  },
) {
  return new CallRecorder({
    call: { tenantId, callId, agentId },
    channels: 'dual',
    retentionDays: 7,
    format: { type: 'audio/pcmu' },
    target: testRecordingsBucket(),
    db: dbFromEnv(),
    logger,
    spoolDir,
    publish: { sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv() },
    onReady,
  });
}

/** Feeds `seconds` of caller audio (and an agent line every 10 s) as a live call would, second by second. */
async function feed(recorder: CallRecorder, seconds: number): Promise<void> {
  for (let s = 0; s < seconds; s++) {
    recorder.callerAudio(Buffer.alloc(8000, 0x21));
    if (s % 10 === 0)
      recorder.agentAudio(`item_${s}`, {
        base64: Buffer.alloc(4000, 0x42).toString('base64'),
        byteLength: 4000,
      });
    await recorder.whenIdle();
  }
}

/** The call's first (here: only) recording segment. */
function segment0(call: Awaited<ReturnType<typeof getCall>>) {
  const segment = call?.recording?.segments?.['0'];
  if (!segment) throw new Error('the call has no recording segment 0');
  return segment;
}

const sweep = (afterMs: number) =>
  sweepRecordings({
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    logger,
    target: testRecordingsBucket(),
    now: new Date(Date.now() + afterMs),
  });

describe('a recording whose media task died', () => {
  it('is completed by the sweeper from the parts uploaded, with exact WAV sizes; the unuploaded tail is lost', async () => {
    const call = await newCall();
    const recorder = recorderFor(call.id);
    // 11 minutes of dual audio: two full 5 MiB parts uploaded, the third still on the spool disk.
    await feed(recorder, 660);
    const during = await getCall(dbFromEnv(), tenantId, call.id);
    expect(during?.recording).toMatchObject({ status: 'recording', channels: 'dual' });
    expect(segmentParts(segment0(during)).map((p) => [p.partNumber, p.bytes])).toEqual([
      [1, MIN_PART_BYTES],
      [2, MIN_PART_BYTES],
    ]);
    // The recorder's audio memory stayed far under the 64 KB budget.
    expect(recorder.peakBufferedBytes).toBeLessThan(64 * 1024);
    // The task dies here: no close(). Nothing happens while the lease is valid.
    expect(await sweep(0)).toEqual({ completed: 0, aborted: 0, failed: 0 });
    expect(await sweep(RECORDING_LEASE_MS + 60_000)).toEqual({ completed: 1, aborted: 0, failed: 0 });

    const after = await getCall(dbFromEnv(), tenantId, call.id);
    const dataBytes = 2 * MIN_PART_BYTES - WAV_HEADER_BYTES;
    expect(after?.recording).toMatchObject({
      status: 'ready',
      bytes: 2 * MIN_PART_BYTES,
      durationSeconds: Math.round((dataBytes / 2 / 8000) * 100) / 100,
    });
    expect(segment0(after).uploadId).toBeUndefined();
    const wav = await downloadWav(testRecordingsBucket(), segment0(after).key);
    expect(wav.info.dataBytes).not.toBe(UNKNOWN_SIZE);
    expect(wav.info.dataBytes).toBe(dataBytes);
    expect(wav.bytes).toBe(2 * MIN_PART_BYTES);
    const { left, right } = deinterleave(wav.data);
    expect(left.every((b) => b === 0x21)).toBe(true);
    // Each agent line (500 ms) plays from the end of the caller second it came after.
    const agentRuns = [
      [0, 8_000, MULAW_SILENCE],
      [8_000, 12_000, 0x42],
      [12_000, 88_000, MULAW_SILENCE],
      [88_000, 92_000, 0x42],
    ] as const;
    for (const [from, to, byte] of agentRuns)
      expect(right.subarray(from, to).every((b) => b === byte)).toBe(true);
    // A second sweep finds nothing left to do.
    expect(await sweep(RECORDING_LEASE_MS + 60_000)).toEqual({ completed: 0, aborted: 0, failed: 0 });
  }, 180_000);

  it('is aborted and marked failed when no part was uploaded yet', async () => {
    const call = await newCall();
    const recorder = recorderFor(call.id);
    await feed(recorder, 30);
    expect((await getCall(dbFromEnv(), tenantId, call.id))?.recording?.status).toBe('recording');
    expect(await sweep(RECORDING_LEASE_MS + 60_000)).toEqual({ completed: 0, aborted: 1, failed: 0 });
    const after = await getCall(dbFromEnv(), tenantId, call.id);
    expect(after?.recording).toMatchObject({ status: 'failed', failure: 'media_task_lost' });
    expect(await objectExists(testRecordingsBucket(), segment0(after).key)).toBe(false);
  });

  it('a recorder that closes normally completes a multi-part upload with the final header in part 1', async () => {
    const call = await newCall();
    let ready: unknown;
    const recorder = recorderFor(call.id, async (stored) => {
      ready = stored;
    });
    await feed(recorder, 400); // 6 min 40 s: part 1 full, part 2 the rest
    await recorder.close();
    const after = await getCall(dbFromEnv(), tenantId, call.id);
    const dataBytes = 400 * 16_000;
    expect(after?.recording).toMatchObject({
      status: 'ready',
      durationSeconds: 400,
      bytes: dataBytes + WAV_HEADER_BYTES,
    });
    const wav = await downloadWav(testRecordingsBucket(), segment0(after).key);
    expect(wav.info.dataBytes).toBe(dataBytes);
    expect(wav.data.length).toBe(dataBytes);
    expect(ready).toEqual({ durationSeconds: 400, bytes: dataBytes + WAV_HEADER_BYTES, channels: 'dual' });
  }, 120_000);

  it('records audio the disk could not take in time as silence, keeping the length and alignment', async () => {
    const call = await newCall();
    const recorder = recorderFor(call.id, async () => undefined);
    // Ten seconds arrive before the disk gets a turn: 40 KB wait in memory, the rest is dropped.
    for (let s = 0; s < 10; s++) recorder.callerAudio(Buffer.alloc(8000, 0x21));
    expect(recorder.droppedBytes).toBe(5 * 8000);
    await recorder.whenIdle();
    expect(recorder.peakBufferedBytes).toBe(5 * 8000);
    recorder.callerAudio(Buffer.alloc(8000, 0x21));
    await recorder.close();
    const after = await getCall(dbFromEnv(), tenantId, call.id);
    expect(after?.recording).toMatchObject({ status: 'ready', durationSeconds: 11 });
    const { left } = deinterleave((await downloadWav(testRecordingsBucket(), segment0(after).key)).data);
    expect(left.subarray(0, 40_000).every((b) => b === 0x21)).toBe(true);
    expect(left.subarray(40_000, 80_000).every((b) => b === MULAW_SILENCE)).toBe(true);
    expect(left.subarray(80_000).every((b) => b === 0x21)).toBe(true);
  });
});
