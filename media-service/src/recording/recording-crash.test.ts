import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCall, getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { RECORDING_LEASE_MS } from '#shared/recordings/recording-store.ts';
import { segmentParts } from '#shared/recordings/recording-segments.ts';
import { recordingSeconds } from '#shared/recordings/recording-types.ts';
import { sweepRecordings } from '#shared/recordings/sweep-recordings.ts';
import { checkpointKey } from '#shared/recordings/tail-checkpoints.ts';
import { UNKNOWN_SIZE, WAV_HEADER_BYTES } from '#shared/recordings/wav-header.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../../test/platform.ts';
import {
  downloadWav,
  listKeys,
  objectExists,
  testRecordingsBucket,
} from '../../../test/recording/recording-s3.ts';
import { CallRecorder, type CallRecorderOptions, MIN_PART_BYTES, SETTLE_SAMPLES } from './call-recorder.ts';
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

/** Tail checkpoints every second of audio in these tests (30 s by default). */
const CHECKPOINT_SECONDS = 1;
const SETTLE_SECONDS = SETTLE_SAMPLES / 8000;

function recorderFor(
  callId: string,
  onReady: CallRecorderOptions['onReady'] = async () => {
    throw new Error('a recorder whose task died never finishes');
  },
  checkpointSeconds = CHECKPOINT_SECONDS,
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
    checkpointSeconds,
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

/** Where a segment's tail checkpoint objects live. */
const tailPrefix = (key: string) => `${key}.tail/`;

/** The agent's channel holds each 500 ms line from the end of the caller second it came after. */
function expectAgentLines(right: Buffer, seconds: number[]) {
  for (const s of seconds) {
    const from = (s + 1) * 8000;
    expect(right.subarray(from - 2000, from).every((b) => b === MULAW_SILENCE)).toBe(true);
    expect(right.subarray(from, from + 4000).every((b) => b === 0x42)).toBe(true);
    expect(right.subarray(from + 4000, from + 6000).every((b) => b === MULAW_SILENCE)).toBe(true);
  }
}

describe('a recording whose media task died', () => {
  it('is completed by the sweeper from the uploaded part plus its tail checkpoints; less than a checkpoint interval (and the settle window) is lost', async () => {
    const call = await newCall();
    const recorder = recorderFor(call.id);
    // 6 min 40 s of dual audio: part 1 (5 MiB) uploaded, part 2 filling on the spool disk.
    const fed = 400;
    await feed(recorder, fed);
    const during = await getCall(dbFromEnv(), tenantId, call.id);
    expect(during?.recording).toMatchObject({ status: 'recording', channels: 'dual' });
    const { key } = segment0(during);
    expect(segmentParts(segment0(during)).map((p) => [p.partNumber, p.bytes])).toEqual([[1, MIN_PART_BYTES]]);
    // Part 1 replaced its checkpoints (records and objects); part 2's are on the segment and in S3.
    const checkpoints = Object.values(segment0(during).checkpoints ?? {}).flatMap((part) =>
      Object.values(part),
    );
    expect(checkpoints.length).toBeGreaterThan(60);
    expect(checkpoints.every((c) => c.partNumber === 2)).toBe(true);
    expect(await listKeys(testRecordingsBucket(), tailPrefix(key))).toEqual(
      checkpoints.map((c) => checkpointKey(key, c)).sort(),
    );
    expect(recorder.checkpointCount).toBeGreaterThan(fed - 10);
    // Checkpoints stream from the spool: the recorder's audio memory stays far under 64 KB.
    expect(recorder.peakBufferedBytes).toBeLessThan(64 * 1024);
    // The task dies here: no close(). Nothing happens while the lease is valid.
    expect(await sweep(0)).toEqual({ completed: 0, aborted: 0, failed: 0 });
    expect(await sweep(RECORDING_LEASE_MS + 60_000)).toEqual({ completed: 1, aborted: 0, failed: 0 });

    const after = await getCall(dbFromEnv(), tenantId, call.id);
    const seconds = after?.recording?.durationSeconds ?? 0;
    expect(after?.recording?.status).toBe('ready');
    expect(seconds).toBeGreaterThanOrEqual(fed - CHECKPOINT_SECONDS - SETTLE_SECONDS);
    expect(seconds).toBeLessThanOrEqual(fed - SETTLE_SECONDS);
    expect(segment0(after).uploadId).toBeUndefined();
    expect(segment0(after).checkpoints).toBeUndefined();
    const wav = await downloadWav(testRecordingsBucket(), key);
    expect(wav.info.dataBytes).not.toBe(UNKNOWN_SIZE);
    expect(wav.bytes).toBe(after?.recording?.bytes);
    expect(wav.info.dataBytes).toBe(wav.bytes - WAV_HEADER_BYTES);
    expect(recordingSeconds(wav.info.dataBytes, 'dual')).toBe(seconds);
    const { left, right } = deinterleave(wav.data);
    expect(left.every((b) => b === 0x21)).toBe(true);
    // Lines in part 1, across nothing special, and in the tail (second 390) are where they played.
    expectAgentLines(right, [0, 10, 320, 330, 390]);
    // The checkpoint objects went with the sweep.
    expect(await listKeys(testRecordingsBucket(), tailPrefix(key))).toEqual([]);
    // A second sweep finds nothing left to do.
    expect(await sweep(RECORDING_LEASE_MS + 60_000)).toEqual({ completed: 0, aborted: 0, failed: 0 });
  }, 180_000);

  it('a call shorter than one part, killed mid-call, keeps all but its last checkpoint interval', async () => {
    const call = await newCall();
    const recorder = recorderFor(call.id);
    const fed = 30;
    await feed(recorder, fed);
    const during = await getCall(dbFromEnv(), tenantId, call.id);
    expect(segmentParts(segment0(during))).toEqual([]);
    expect(Object.keys(segment0(during).checkpoints ?? {}).length).toBeGreaterThan(0);
    expect(await sweep(RECORDING_LEASE_MS + 60_000)).toEqual({ completed: 1, aborted: 0, failed: 0 });

    const after = await getCall(dbFromEnv(), tenantId, call.id);
    const seconds = after?.recording?.durationSeconds ?? 0;
    expect(after?.recording?.status).toBe('ready');
    expect(seconds).toBeGreaterThanOrEqual(fed - CHECKPOINT_SECONDS - SETTLE_SECONDS);
    expect(seconds).toBeLessThanOrEqual(fed - SETTLE_SECONDS);
    // The tail was part 1, streaming header and all: the header now has the exact sizes.
    const wav = await downloadWav(testRecordingsBucket(), segment0(after).key);
    expect(wav.info).toMatchObject({ channels: 2, sampleRate: 8000, formatTag: 7 });
    expect(wav.info.dataBytes).toBe(wav.bytes - WAV_HEADER_BYTES);
    expect(recordingSeconds(wav.info.dataBytes, 'dual')).toBe(seconds);
    const { left, right } = deinterleave(wav.data);
    expect(left.every((b) => b === 0x21)).toBe(true);
    expectAgentLines(right, [0, 10, 20]);
    expect(await listKeys(testRecordingsBucket(), tailPrefix(segment0(after).key))).toEqual([]);
  }, 60_000);

  it('stops at the last contiguous checkpoint when a checkpoint object is missing', async () => {
    const call = await newCall();
    const recorder = recorderFor(call.id);
    await feed(recorder, 20);
    const during = segment0(await getCall(dbFromEnv(), tenantId, call.id));
    const byseq = Object.values(during.checkpoints?.['1'] ?? {}).sort((a, b) => a.seq - b.seq);
    expect(byseq.length).toBeGreaterThan(8);
    const missing = byseq[6];
    const lastKept = byseq[5];
    if (!missing || !lastKept) throw new Error('too few checkpoints');
    const bucket = testRecordingsBucket();
    await bucket.s3.send(
      new DeleteObjectCommand({ Bucket: bucket.bucket, Key: checkpointKey(during.key, missing) }),
    );
    expect(await sweep(RECORDING_LEASE_MS + 60_000)).toEqual({ completed: 1, aborted: 0, failed: 0 });
    const after = await getCall(dbFromEnv(), tenantId, call.id);
    expect(after?.recording).toMatchObject({
      status: 'ready',
      bytes: lastKept.to,
      durationSeconds: recordingSeconds(lastKept.to - WAV_HEADER_BYTES, 'dual'),
    });
    const wav = await downloadWav(bucket, segment0(after).key);
    expect(wav.bytes).toBe(lastKept.to);
    expect(deinterleave(wav.data).left.every((b) => b === 0x21)).toBe(true);
  }, 60_000);

  it('is aborted and marked failed when neither a part nor a checkpoint was uploaded yet', async () => {
    const call = await newCall();
    const recorder = recorderFor(call.id, undefined, 30);
    await feed(recorder, 10);
    const during = await getCall(dbFromEnv(), tenantId, call.id);
    expect(during?.recording?.status).toBe('recording');
    expect(segment0(during).checkpoints).toEqual({});
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
    const key = segment0(await getCall(dbFromEnv(), tenantId, call.id)).key;
    expect((await listKeys(testRecordingsBucket(), tailPrefix(key))).length).toBeGreaterThan(0);
    await recorder.close();
    const after = await getCall(dbFromEnv(), tenantId, call.id);
    // The end of the call is the spool's last part, as before; the checkpoints left are deleted.
    expect(await listKeys(testRecordingsBucket(), tailPrefix(key))).toEqual([]);
    expect(segment0(after).checkpoints).toBeUndefined();
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
