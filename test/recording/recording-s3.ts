import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '#shared/exports/s3-client.ts';
import type { RecordingsBucket } from '#shared/recordings/recording-objects.ts';
import { parseWavHeader, type WavInfo } from '#shared/recordings/wav-header.ts';

/** The test platform's recordings bucket on the emulator (read after `startTestPlatform`). Test-only. */
export function testRecordingsBucket(): RecordingsBucket {
  return {
    s3: createS3Client({ endpoint: process.env.S3_ENDPOINT }),
    bucket: process.env.RECORDINGS_BUCKET as string,
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
