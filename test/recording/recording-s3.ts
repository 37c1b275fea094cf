import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { configSource } from '#shared/config/config-source.ts';
import { createS3Client } from '#shared/exports/s3-client.ts';
import type { RecordingsBucket } from '#shared/recordings/recording-objects.ts';
import { parseWavHeader, type WavInfo } from '#shared/recordings/wav-header.ts';

/**
 * The test platform's recordings bucket on the emulator, from the settings `startTestPlatform` gave
 * this process (its config source). Test-only.
 */
export function testRecordingsBucket(): RecordingsBucket {
  const settings = configSource();
  return {
    s3: createS3Client({ endpoint: settings.S3_ENDPOINT }),
    bucket: settings.RECORDINGS_BUCKET as string,
  };
}

/** Downloads a stored recording and splits it into its header and `data` bytes. */
export async function downloadWav(
  target: RecordingsBucket,
  key: string,
): Promise<{ info: WavInfo; data: Buffer; bytes: number }> {
  const out = await target.s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
  const file = Buffer.from(
    await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
  const info = parseWavHeader(file);
  return { info, data: file.subarray(info.dataOffset), bytes: file.length };
}

export async function objectExists(target: RecordingsBucket, key: string): Promise<boolean> {
  return target.s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: key })).then(
    () => true,
    () => false,
  );
}

/** Keys under `prefix` (a test's view of leftover objects, such as tail checkpoints). */
export async function listKeys(target: RecordingsBucket, prefix: string): Promise<string[]> {
  const out = await target.s3.send(new ListObjectsV2Command({ Bucket: target.bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((object) => object.Key as string).sort();
}
