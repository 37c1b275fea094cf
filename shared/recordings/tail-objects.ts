import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { RecordingsBucket } from './recording-objects.ts';
import { type RecordingPart, RETENTION_TAG } from './recording-types.ts';
import { checkpointKey, type RecordingCheckpoint, type SweepPlan } from './tail-checkpoints.ts';

/**
 * Checkpoint objects are tagged with the shortest retention, so the bucket's `expire-after-1-days`
 * rule removes any that a dead task or a failed delete left behind.
 */
const CHECKPOINT_TAGGING = `${RETENTION_TAG}=1`;

/** Puts one tail checkpoint (streamed from the spool) beside the segment's recording. */
export async function putCheckpointObject(
  target: RecordingsBucket,
  segmentKey: string,
  checkpoint: RecordingCheckpoint,
  body: Readable,
): Promise<void> {
  await target.s3.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: checkpointKey(segmentKey, checkpoint),
      Body: body,
      ContentLength: checkpoint.to - checkpoint.from,
      ContentType: 'application/octet-stream',
      Tagging: CHECKPOINT_TAGGING,
      ServerSideEncryption: 'AES256',
    }),
  );
}

/** Deletes checkpoint objects no longer needed; best effort (the lifecycle rule expires the rest). */
export async function deleteCheckpointObjects(
  target: RecordingsBucket,
  segmentKey: string,
  checkpoints: readonly Pick<RecordingCheckpoint, 'partNumber' | 'seq'>[],
): Promise<void> {
  await Promise.all(
    checkpoints.map((checkpoint) =>
      target.s3
        .send(new DeleteObjectCommand({ Bucket: target.bucket, Key: checkpointKey(segmentKey, checkpoint) }))
        .catch(() => undefined),
    ),
  );
}

/** A checkpoint object's bytes, or undefined when it is missing or not the recorded size. */
async function readCheckpoint(
  target: RecordingsBucket,
  segmentKey: string,
  checkpoint: RecordingCheckpoint,
): Promise<Buffer | undefined> {
  try {
    const got = await target.s3.send(
      new GetObjectCommand({ Bucket: target.bucket, Key: checkpointKey(segmentKey, checkpoint) }),
    );
    const bytes = Buffer.from(
      await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    return bytes.length === checkpoint.to - checkpoint.from ? bytes : undefined;
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey' || (error as Error).name === 'NotFound') return undefined;
    throw error;
  }
}

/**
 * Uploads the sweep plan's tail as the upload's last part: the checkpoint objects concatenated in
 * order, up to the first one missing (S3 lets the last part be under 5 MiB; a tail holds less
 * than one part, so it is assembled in memory). Undefined when no checkpoint could be read.
 */
export async function uploadTailPart(
  target: RecordingsBucket,
  segmentKey: string,
  uploadId: string,
  tail: NonNullable<SweepPlan['tail']>,
): Promise<RecordingPart | undefined> {
  const chunks: Buffer[] = [];
  for (const checkpoint of tail.checkpoints) {
    const bytes = await readCheckpoint(target, segmentKey, checkpoint);
    if (!bytes) break;
    chunks.push(bytes);
  }
  if (chunks.length === 0) return undefined;
  const body = Buffer.concat(chunks);
  const out = await target.s3.send(
    new UploadPartCommand({
      Bucket: target.bucket,
      Key: segmentKey,
      UploadId: uploadId,
      PartNumber: tail.partNumber,
      Body: body,
      ContentLength: body.length,
    }),
  );
  return { partNumber: tail.partNumber, etag: out.ETag ?? '', bytes: body.length };
}
