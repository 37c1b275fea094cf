import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { EXPORT_RETENTION_DAYS } from '#shared/exports/run-export.ts';
import { RETENTION_TAG, recordingLifecycleRules } from '#shared/recordings/recording-lifecycle.ts';
/**
 * Creates a bucket on the local S3 emulator (fauxqs serves S3 on its SQS port); an existing one
 * is fine, so this runs on every start.
 */
export async function ensureBucket(endpoint: string, bucket: string): Promise<void> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  } finally {
    s3.destroy();
  }
}

/**
 * Creates the exports bucket on the emulator's S3 API (fauxqs serves S3 on the SQS endpoint) with
 * the same expiry rule CDK declares. Idempotent: runs on every start.
 */
export async function ensureExportsBucket(s3: S3Client, bucket: string): Promise<void> {
  const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    () => false,
  );
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'expire-exports',
            Status: 'Enabled',
            Filter: { Prefix: 'exports/' },
            Expiration: { Days: EXPORT_RETENTION_DAYS },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    }),
  );
}

/**
 * Creates the recordings bucket on the emulator with the lifecycle CDK declares (expiry by each
 * object's retention tag, incomplete uploads aborted). Idempotent: runs on every start.
 */
export async function ensureRecordingsBucket(s3: S3Client, bucket: string): Promise<void> {
  const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    () => false,
  );
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: recordingLifecycleRules().map((rule) => ({
          ID: rule.id,
          Status: 'Enabled',
          Filter: rule.tagValue
            ? { Tag: { Key: RETENTION_TAG, Value: rule.tagValue } }
            : { Prefix: 'recordings/' },
          ...(rule.expirationDays ? { Expiration: { Days: rule.expirationDays } } : {}),
          ...(rule.abortIncompleteUploadDays
            ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: rule.abortIncompleteUploadDays } }
            : {}),
        })),
      },
    }),
  );
}
