import { CopyObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { settleRecording } from '#shared/recordings/recording-settle.ts';
import { recordingKey } from '#shared/recordings/recording-types.ts';
import { storeSegmentFinished, storeSegmentStarted } from '#shared/recordings/segment-store.ts';
import { testRecordingsBucket } from '../recording/recording-s3.ts';
import { checkAndShoot } from './console-stack.ts';

/**
 * The same call as if it had been resumed on another media task: a second segment (a copy of the
 * first WAV, stored the way the recorder stores one) makes the card list one player per part,
 * each serving its own file.
 */
export async function showsTwoRecordingParts(page: Page, callId: string): Promise<void> {
  const call = (await (await page.request.get(`/v1/calls/${callId}`)).json()).call;
  const ref = { tenantId: call.tenantId as string, callId, segment: 1 };
  const bucket = testRecordingsBucket();
  const key = recordingKey(ref.tenantId, callId, 1);
  await bucket.s3.send(
    new CopyObjectCommand({
      Bucket: bucket.bucket,
      Key: key,
      CopySource: `${bucket.bucket}/${recordingKey(ref.tenantId, callId, 0)}`,
    }),
  );
  const db = dbFromEnv();
  await storeSegmentStarted(db, ref, {
    bucket: bucket.bucket,
    key,
    uploadId: 'resumed-upload',
    channels: 'dual',
    retentionDays: call.recording.retentionDays,
    startedAt: new Date().toISOString(),
  });
  await storeSegmentFinished(db, ref, 'resumed-upload', {
    status: 'ready',
    bytes: call.recording.bytes,
    durationSeconds: call.recording.durationSeconds,
    completedAt: new Date().toISOString(),
    expiresAt: call.recording.expiresAt,
  });
  await settleRecording(
    { db, sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv(), logger: createLogger({ level: 'error' }) },
    { tenantId: ref.tenantId, callId },
  );
  await page.reload();
  const parts = page.getByRole('list', { name: 'Recording parts' }).locator('li');
  await parts.nth(1).waitFor({ timeout: 20_000 });
  expect(await parts.count()).toBe(2);
  expect(await parts.nth(0).textContent()).toContain('Part 1 of 2');
  expect(await parts.nth(1).textContent()).toContain('Part 2 of 2');
  for (const index of [0, 1]) {
    const src = (await parts.nth(index).locator('audio').getAttribute('src')) as string;
    expect(new URL(src).pathname).toContain(index === 0 ? `${callId}.wav` : `${callId}-1.wav`);
    const wav = await page.request.get(src);
    expect(wav.status()).toBe(200);
    expect(
      Buffer.from(await wav.body())
        .subarray(0, 4)
        .toString('ascii'),
    ).toBe('RIFF');
  }
  await checkAndShoot(page, 'call-detail-two-parts', { fullPage: true });
}
