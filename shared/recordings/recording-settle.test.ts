import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { createCall, getCall } from '../data/calls.ts';
import { dbFromEnv } from '../data/client.ts';
import { listDue } from '../data/due-index.ts';
import { createLogger } from '../logging/logger.ts';
import { queueUrlsFromEnv } from '../queues/publisher.ts';
import { sqsFromEnv } from '../queues/sqs-client.ts';
import { settleRecording } from './recording-settle.ts';
import { recordingKey } from './recording-types.ts';
import {
  storeRecordingCallOver,
  storeSegmentFinished,
  storeSegmentPart,
  storeSegmentStarted,
} from './segment-store.ts';

let platform: TestPlatform;
let tenantId: string;
let agentId: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  ({
    tenant: { id: tenantId },
    agentId,
  } = await createTestTenant({ maxConcurrentCalls: 20, requestsPerSecond: 1000 }));
}, 60_000);
afterAll(() => platform?.stop());

const publish = () => ({
  db: dbFromEnv(),
  sqs: sqsFromEnv(),
  queueUrls: queueUrlsFromEnv(),
  logger: createLogger({ level: 'error' }),
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

async function start(callId: string, segment: number) {
  const ref = { tenantId, callId, segment };
  await storeSegmentStarted(dbFromEnv(), ref, {
    bucket: 'bucket',
    key: recordingKey(tenantId, callId, segment),
    uploadId: `upload-${segment}`,
    channels: 'dual',
    retentionDays: 7,
    startedAt: new Date().toISOString(),
  });
  return ref;
}

const refOf = (call: { tenantId: string; id: string }) => ({ tenantId: call.tenantId, callId: call.id });

const ready = (seconds: number) => ({
  status: 'ready' as const,
  bytes: 58 + seconds * 16_000,
  durationSeconds: seconds,
  completedAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
});

describe('recording segments on the call record', () => {
  it('keeps each segment apart; retried starts and parts store the same entries', async () => {
    const call = await newCall();
    const first = await start(call.id, 0);
    await start(call.id, 0); // a retry of the same start
    const part = { partNumber: 1, etag: 'e1', bytes: 5 };
    await storeSegmentPart(dbFromEnv(), first, 'upload-0', part);
    await storeSegmentPart(dbFromEnv(), first, 'upload-0', part);
    await start(call.id, 1);
    const stored = (await getCall(dbFromEnv(), tenantId, call.id))?.recording;
    expect(stored?.status).toBe('recording');
    expect(stored?.segments?.['0']).toMatchObject({ uploadId: 'upload-0', parts: { '1': part } });
    expect(stored?.segments?.['1']).toMatchObject({ uploadId: 'upload-1', parts: {} });
    // Another upload id for a segment that exists is refused, never overwriting it.
    await expect(
      storeSegmentStarted(dbFromEnv(), first, {
        bucket: 'bucket',
        key: 'other',
        uploadId: 'upload-x',
        channels: 'dual',
        retentionDays: 7,
        startedAt: new Date().toISOString(),
      }),
    ).rejects.toThrow();
    const watches = await listDue(dbFromEnv(), 'recording', new Date(Date.now() + 86_400_000), 100);
    expect(watches.filter((w) => w.callId === call.id).map((w) => w.segment)).toEqual(
      expect.arrayContaining([0, 1]),
    );
  });

  it('announces call.recording_ready once, after the last segment settles with the call over, even when two settle at once', async () => {
    const call = await newCall();
    const [s0, s1] = [await start(call.id, 0), await start(call.id, 1)];
    expect(await storeSegmentFinished(dbFromEnv(), s1, 'upload-1', ready(4))).toBe(true);
    await storeRecordingCallOver(dbFromEnv(), refOf(call));
    // Segment 0 is still written (its task died): nothing is announced yet.
    expect(await settleRecording(publish(), refOf(call))).toBeUndefined();
    expect((await getCall(dbFromEnv(), tenantId, call.id))?.recording?.status).toBe('recording');

    expect(await storeSegmentFinished(dbFromEnv(), s0, 'upload-0', ready(10))).toBe(true);
    // The recorder and the sweeper finishing the same segment: only one wins.
    expect(await storeSegmentFinished(dbFromEnv(), s0, 'upload-0', ready(10))).toBe(false);
    const settled = await Promise.all([1, 2, 3].map(() => settleRecording(publish(), refOf(call))));
    expect(settled.filter(Boolean)).toEqual([
      { durationSeconds: 14, bytes: 116 + 14 * 16_000, channels: 'dual' },
    ]);
    const recording = (await getCall(dbFromEnv(), tenantId, call.id))?.recording;
    expect(recording).toMatchObject({ status: 'ready', durationSeconds: 14, bytes: 116 + 14 * 16_000 });
    expect(recording?.readyAnnouncedAt).toBeDefined();
    expect(await settleRecording(publish(), refOf(call))).toBeUndefined();
    // Published at once: no outbox copy is left for the sweeper.
    const outbox = await listDue(dbFromEnv(), 'outbox', new Date(Date.now() + 3_600_000), 100);
    expect(outbox.filter((item) => String(item.body).includes(call.id))).toEqual([]);
  });

  it('a segment lost before any part leaves the rest ready with the gap listed', async () => {
    const call = await newCall();
    const [s0, s1] = [await start(call.id, 0), await start(call.id, 1)];
    await storeSegmentFinished(dbFromEnv(), s0, 'upload-0', { status: 'failed', failure: 'media_task_lost' });
    await storeSegmentFinished(dbFromEnv(), s1, 'upload-1', ready(3));
    await storeRecordingCallOver(dbFromEnv(), refOf(call));
    expect(await settleRecording(publish(), refOf(call))).toMatchObject({ durationSeconds: 3 });
    expect((await getCall(dbFromEnv(), tenantId, call.id))?.recording).toMatchObject({
      status: 'ready',
      failedSegments: [0],
      durationSeconds: 3,
    });
  });
});
