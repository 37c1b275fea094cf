import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { env } from '../config/env.ts';
import { createS3Client } from '../exports/s3-client.ts';
import type { RecordingPart } from './recording-types.ts';
import { RETENTION_TAG } from './recording-types.ts';
import { parseWavHeader, WAV_HEADER_BYTES, wavMulawHeader } from './wav-header.ts';

/** The recordings bucket and a client for it. */
export interface RecordingsBucket {
  s3: S3Client;
  bucket: string;
}

let processBucket: RecordingsBucket | undefined;

/** The recordings bucket of this process (`RECORDINGS_BUCKET`, and the emulator's endpoint locally). */
export function recordingsFromEnv(): RecordingsBucket {
  const config = env();
  if (processBucket?.bucket !== config.RECORDINGS_BUCKET) {
    processBucket = {
      s3: createS3Client({ endpoint: config.S3_ENDPOINT, region: config.AWS_REGION }),
      bucket: config.RECORDINGS_BUCKET,
    };
  }
  return processBucket;
}

/** The metadata every recording object is created with: WAV, tagged for its lifecycle rule. */
export function recordingObjectSettings(retentionDays: number) {
  return {
    ContentType: 'audio/wav',
    Tagging: `${RETENTION_TAG}=${retentionDays}`,
    ServerSideEncryption: 'AES256' as const,
  };
}

/** Starts a recording's multipart upload; returns its upload id. */
export async function startRecordingUpload(
  target: RecordingsBucket,
  key: string,
  retentionDays: number,
): Promise<string> {
  const out = await target.s3.send(
    new CreateMultipartUploadCommand({
      Bucket: target.bucket,
      Key: key,
      ...recordingObjectSettings(retentionDays),
    }),
  );
  if (!out.UploadId) throw new Error('S3 returned no upload id');
  return out.UploadId;
}

export async function completeRecordingUpload(
  target: RecordingsBucket,
  key: string,
  uploadId: string,
  parts: readonly RecordingPart[],
): Promise<void> {
  await target.s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: target.bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: {
        Parts: [...parts]
          .sort((a, b) => a.partNumber - b.partNumber)
          .map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
      },
    }),
  );
}

/** Aborts an upload; one already gone (completed or aborted) is fine. */
export async function abortRecordingUpload(
  target: RecordingsBucket,
  key: string,
  uploadId: string,
): Promise<void> {
  try {
    await target.s3.send(
      new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId }),
    );
  } catch (error) {
    if ((error as Error).name !== 'NoSuchUpload') throw error;
  }
}

/**
 * Gives a completed recording whose header still has the streaming placeholder sizes (the
 * sweeper completed it for a task that died) its exact sizes. The first part is read and put back
 * with the header patched; the rest is copied inside S3 (UploadPartCopy), never downloaded.
 */
export async function finalizeRecordingHeader(
  target: RecordingsBucket,
  key: string,
  parts: readonly RecordingPart[],
  retentionDays: number,
): Promise<{ bytes: number; dataBytes: number }> {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  const bytes = sorted.reduce((sum, part) => sum + part.bytes, 0);
  const firstBytes = sorted[0]?.bytes ?? 0;
  const got = await target.s3.send(
    new GetObjectCommand({ Bucket: target.bucket, Key: key, Range: `bytes=0-${firstBytes - 1}` }),
  );
  const first = Buffer.from(
    await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
  const info = parseWavHeader(first);
  const dataBytes = bytes - WAV_HEADER_BYTES;
  wavMulawHeader(info.channels === 1 ? 1 : 2, dataBytes).copy(first, 0);
  const settings = recordingObjectSettings(retentionDays);
  if (sorted.length === 1) {
    await target.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: first, ...settings }));
    return { bytes, dataBytes };
  }
  const uploadId = await startRecordingUpload(target, key, retentionDays);
  try {
    const head = await target.s3.send(
      new UploadPartCommand({
        Bucket: target.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: 1,
        Body: first,
      }),
    );
    const rest = await target.s3.send(
      new UploadPartCopyCommand({
        Bucket: target.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: 2,
        CopySource: `${target.bucket}/${key}`,
        CopySourceRange: `bytes=${firstBytes}-${bytes - 1}`,
      }),
    );
    await completeRecordingUpload(target, key, uploadId, [
      { partNumber: 1, etag: head.ETag ?? '', bytes: firstBytes },
      { partNumber: 2, etag: rest.CopyPartResult?.ETag ?? '', bytes: bytes - firstBytes },
    ]);
  } catch (error) {
    await abortRecordingUpload(target, key, uploadId).catch(() => undefined);
    throw error;
  }
  return { bytes, dataBytes };
}

/** A short-lived GET URL of a recording. */
export async function presignRecording(
  target: RecordingsBucket,
  key: string,
  ttlSeconds: number,
  fileName: string,
): Promise<string> {
  return getSignedUrl(
    target.s3,
    new GetObjectCommand({
      Bucket: target.bucket,
      Key: key,
      ResponseContentType: 'audio/wav',
      ResponseContentDisposition: `inline; filename="${fileName}"`,
    }),
    { expiresIn: ttlSeconds },
  );
}

export async function deleteRecordingObject(target: RecordingsBucket, key: string): Promise<void> {
  await target.s3.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: key }));
}
