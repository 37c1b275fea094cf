import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCallOwner } from '#shared/data/call-owners.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { TWILIO_VOICE_PATH } from '#shared/http/webhook-routes.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { RECORDING_LEASE_MS } from '#shared/recordings/recording-store.ts';
import { recordingKey } from '#shared/recordings/recording-types.ts';
import { sweepRecordings } from '#shared/recordings/sweep-recordings.ts';
import { parseWavHeader } from '#shared/recordings/wav-header.ts';
import { connectTwilioMedia, type TwilioMediaClient } from '../../fakes/twilio/media-client.ts';
import {
  followConnectAction,
  newCallSid,
  parseStreamTwiml,
  sendTwilioWebhook,
  type TwilioWebhookTarget,
  voiceParams,
} from '../../fakes/twilio/webhooks.ts';
import type { FakeRealtimeConnection } from '../../fakes/realtime/scripted-server.ts';
import { apiClient } from '../functions/api-test-client.ts';
import type { MediaProcess } from '../media-service/media-process.ts';
import type { MediaHarness } from '../media-service/twilio-test-harness.ts';
import { startTwilioFleet, type TwilioFleet } from '../media-service/twilio-fleet.ts';
import { objectExists, testRecordingsBucket } from './recording-s3.ts';

/**
 * A recorded call whose media task is killed (SIGKILL) mid-recording: two media-service processes
 * behind the TCP balancer, as in test/failover.test.ts. The call resumes on the survivor, which
 * records segment 1; the sweeper completes segment 0 from the parts the dead task uploaded; the
 * API then serves both segments and deletes both, and `call.recording_ready` is sent once.
 */
let fleet: TwilioFleet;
let harness: MediaHarness;
let target: TwilioWebhookTarget;
let tasks: MediaProcess[];
const NUMBER = '+14155557411';
const CALLER = '+14155550144';
/** One second of caller audio, μ-law 8 kHz. */
const SECOND = 8000;
/** Dual-channel bytes of the first 5 MiB part: the dead task uploads one part after ~328 s. */
const SECONDS_TO_FIRST_PART = 335;
/** Tail checkpoints every second of audio (RECORDING_CHECKPOINT_SECONDS; 30 by default). */
const CHECKPOINT_SECONDS = 1;
/** Audio is encoded this far behind the caller (SETTLE_SAMPLES). */
const SETTLE_SECONDS = 2;
const PART_BYTES = 5 * 1024 * 1024;

beforeAll(async () => {
  fleet = await startTwilioFleet({ RECORDING_CHECKPOINT_SECONDS: String(CHECKPOINT_SECONDS) });
  ({ harness, target, tasks } = fleet);
  const agent = await harness.newAgent({
    recording: { enabled: true, channels: 'dual', retentionDays: 7 },
    // Caller audio alone is not activity (only speech the model detects): the call must outlast the upload.
    idleTimeoutSeconds: 600,
    maxDurationSeconds: 3600,
  } as never);
  await createPhoneNumber(harness.db, {
    tenantId: harness.tenantId,
    agentId: agent.id,
    number: NUMBER,
    provider: 'twilio',
  });
}, 90_000);

afterAll(() => fleet?.stop());

/**
 * Sends `seconds` of caller audio two seconds at a time, each batch once the model has the one
 * before (the call's pace, within the recorder's 40 KB disk backlog).
 */
async function talk(client: TwilioMediaClient, model: FakeRealtimeConnection, seconds: number) {
  // Counted as appends arrive (the fake's receivedAudio() concatenates everything on each call).
  let read = model.received.length;
  let heard = 0;
  const hear = () => {
    for (; read < model.received.length; read++) {
      const event = model.received[read] as { type: string; audio?: string };
      if (event.type === 'input_audio_buffer.append') heard += Buffer.byteLength(event.audio ?? '', 'base64');
    }
    return heard;
  };
  for (let sent = 0; sent < seconds; ) {
    const batch = Math.min(2, seconds - sent);
    client.sendAudio(Buffer.alloc(batch * SECOND, 0x21));
    sent += batch;
    await model.waitFor('input_audio_buffer.append', () => hear() >= sent * SECOND);
  }
}

/** Re-reads the call until `check` holds (the table is where the tasks report). */
async function callWhen(
  callId: string,
  check: (call: Awaited<ReturnType<MediaHarness['callRecord']>>) => boolean,
) {
  for (;;) {
    const call = await harness.callRecord(callId);
    if (check(call)) return call;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sweep = (afterMs: number) =>
  sweepRecordings({
    db: harness.db,
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    logger: createLogger({ level: 'error' }),
    target: testRecordingsBucket(),
    now: new Date(Date.now() + afterMs),
  });

describe('a recorded call whose media task dies', () => {
  it('continues in segment 1 on the next task; the sweeper completes segment 0; GET serves both, DELETE removes both; one recording_ready', async () => {
    const callSid = newCallSid();
    const voice = await sendTwilioWebhook(
      target,
      TWILIO_VOICE_PATH,
      voiceParams({ callSid, from: CALLER, to: NUMBER }),
    );
    const stream = parseStreamTwiml(await voice.text());
    const callId = stream.parameters.callId as string;
    let before = harness.realtime.connections.length;
    const client = await connectTwilioMedia(stream.url as string, {
      customParameters: stream.parameters,
      callSid,
      playback: 'instant',
    });
    client.start();
    const model = await harness.realtime.nextConfigured(before);
    await model.waitFor('response.create');
    await talk(client, model, SECONDS_TO_FIRST_PART);
    // The first part (5 MiB) is uploaded and noted on the segment before the task dies, and the
    // tail checkpoints of part 2 have caught up to within an interval of the settled audio.
    const settledBytes = (SECONDS_TO_FIRST_PART - SETTLE_SECONDS) * 16_000 + 58 - PART_BYTES;
    await callWhen(callId, (call) => {
      const seg = call?.recording?.segments?.['0'];
      const tail = Object.values(seg?.checkpoints?.['2'] ?? {});
      return (
        Object.keys(seg?.parts ?? {}).length > 0 &&
        Math.max(0, ...tail.map((c) => c.to)) >= settledBytes - CHECKPOINT_SECONDS * 16_000
      );
    });
    const owner = await getCallOwner(harness.db, callId);
    const victim = tasks.find((t) => t.taskId === owner?.taskId) as MediaProcess;
    const survivor = tasks.find((t) => t !== victim) as MediaProcess;
    victim.child.kill('SIGKILL');
    await victim.exited;
    await client.closed;

    const action = await followConnectAction(target, stream.action as string, {
      callSid,
      from: CALLER,
      to: NUMBER,
    });
    const resume = parseStreamTwiml(action.twiml);
    before = harness.realtime.connections.length;
    const resumed = await connectTwilioMedia(resume.url as string, {
      customParameters: resume.parameters,
      callSid,
      playback: 'instant',
    });
    resumed.start();
    const model2 = await harness.realtime.nextConfigured(before);
    await model2.waitFor('response.create');
    await talk(resumed, model2, 4);
    await resumed.stop();
    await survivor.logged('call closed', (e) => e.callId === callId);

    // Segment 1 is stored by the survivor; segment 0 waits for the sweeper: still `recording`.
    const during = await harness.callRecord(callId);
    expect(during?.recording?.status).toBe('recording');
    expect(during?.recording?.segments?.['1']).toMatchObject({
      status: 'ready',
      key: recordingKey(harness.tenantId, callId, 1),
      durationSeconds: 4,
    });
    expect(during?.recording?.segments?.['0']).toMatchObject({
      status: 'recording',
      key: recordingKey(harness.tenantId, callId),
    });
    expect(await sweep(0)).toMatchObject({ completed: 0 });
    expect(await sweep(RECORDING_LEASE_MS + 60_000)).toMatchObject({ completed: 1, failed: 0 });
    expect(await sweep(RECORDING_LEASE_MS + 60_000)).toMatchObject({ completed: 0, aborted: 0 });

    const record = await harness.callRecord(callId);
    const seg0 = record?.recording?.segments?.['0'];
    expect(seg0?.status).toBe('ready');
    // One 5 MiB part and the tail checkpoints survived: the dead task lost under one checkpoint
    // interval of what it had settled (the settle window itself died with it).
    expect(seg0?.durationSeconds).toBeGreaterThanOrEqual(
      SECONDS_TO_FIRST_PART - SETTLE_SECONDS - CHECKPOINT_SECONDS,
    );
    expect(seg0?.durationSeconds).toBeLessThanOrEqual(SECONDS_TO_FIRST_PART - SETTLE_SECONDS);
    expect(record?.recording).toMatchObject({
      status: 'ready',
      durationSeconds: Math.round(((seg0?.durationSeconds ?? 0) + 4) * 100) / 100,
    });

    const api = apiClient(harness.platform.apiUrl, harness.apiKey);
    const link = await api.get(`/v1/calls/${callId}/recording`);
    expect(link.status).toBe(200);
    const segments = link.body.segments as {
      url: string;
      durationSeconds: number;
      bytes: number;
      segment: number;
    }[];
    expect(segments.map((s) => s.segment)).toEqual([0, 1]);
    expect(link.body.url).toBe(segments[0]?.url);
    expect(link.body.bytes).toBe((segments[0]?.bytes ?? 0) + (segments[1]?.bytes ?? 0));
    for (const segment of segments) {
      const file = Buffer.from(await (await fetch(segment.url)).arrayBuffer());
      const info = parseWavHeader(file);
      expect(info).toMatchObject({ channels: 2, sampleRate: 8000 });
      expect(file.length).toBe(segment.bytes);
      expect(info.dataBytes / 16_000).toBeCloseTo(segment.durationSeconds, 1);
    }
    expect(segments[1]?.durationSeconds).toBe(4);

    const events = await harness.eventsFor(callId, 3);
    expect(events.filter((e) => e.type === 'call.recording_ready')).toEqual([
      expect.objectContaining({ durationSeconds: record?.recording?.durationSeconds, channels: 'dual' }),
    ]);
    expect(events.filter((e) => e.type === 'call.ended')).toHaveLength(1);

    expect((await api.delete(`/v1/calls/${callId}/recording`)).status).toBe(204);
    for (const segment of [0, 1])
      expect(
        await objectExists(testRecordingsBucket(), recordingKey(harness.tenantId, callId, segment)),
      ).toBe(false);
    expect((await harness.callRecord(callId))?.recording?.status).toBe('deleted');
  }, 120_000);
});
