import { S3Client } from '@aws-sdk/client-s3';
import { configSource } from '../config/config-source.ts';

let processClient: S3Client | undefined;

/**
 * The S3 client. Locally `S3_ENDPOINT` points at the emulator, addressed path-style (bucket in
 * the path) because bucket subdomains of 127.0.0.1 do not resolve.
 */
export function createS3Client(options: { endpoint?: string; region?: string } = {}): S3Client {
  return new S3Client({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    forcePathStyle: Boolean(options.endpoint),
    ...(options.endpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}

export function s3FromEnv(env: Record<string, string | undefined> = configSource()): S3Client {
  processClient ??= createS3Client({
    endpoint: env.S3_ENDPOINT || undefined,
    region: env.AWS_REGION || undefined,
  });
  return processClient;
}
export function resetS3Cache(): void {
  processClient = undefined;
}
