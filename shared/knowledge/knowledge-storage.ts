import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { UnavailableError } from '../errors/app-error.ts';
import { configSource } from '../config/config-source.ts';

/**
 * The knowledge bucket's layout (one bucket, tenant-first prefixes):
 *   uploads/<tenant>/<kb>/<source>/<file>   files PUT through presigned URLs
 *   chunks/<tenant>/<kb>/<contentHash>.json  chunks + vectors of one content version (reused while unchanged)
 *   index/<tenant>/<kb>/v<N>/               one immutable LanceDB database per published index version
 */
export interface KnowledgeStorage {
  s3: S3Client;
  bucket: string;
  /** Set for a local emulator: LanceDB needs it too. */
  endpoint?: string;
  region: string;
}

let processStorage: KnowledgeStorage | undefined;

export function createKnowledgeStorage(options: {
  bucket: string;
  endpoint?: string;
  region?: string;
}): KnowledgeStorage {
  const region = options.region ?? 'us-east-1';
  const s3 = new S3Client({
    region,
    endpoint: options.endpoint,
    // Emulators serve path-style only (bucket names as sub-domains of 127.0.0.1 do not resolve).
    forcePathStyle: Boolean(options.endpoint),
    ...(options.endpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return { s3, bucket: options.bucket, endpoint: options.endpoint, region };
}

export function knowledgeStorageFromEnv(
  env: Record<string, string | undefined> = configSource(),
): KnowledgeStorage {
  processStorage ??= createKnowledgeStorage({
    bucket: env.KNOWLEDGE_BUCKET || 'ai-caller-local-knowledge',
    endpoint: env.S3_ENDPOINT || undefined,
    region: env.AWS_REGION || undefined,
  });
  return processStorage;
}
export function resetKnowledgeStorageCache(): void {
  processStorage = undefined;
}

export const storageKeys = {
  upload: (tenantId: string, kbId: string, sourceId: string, fileName: string) =>
    `uploads/${tenantId}/${kbId}/${sourceId}/${encodeURIComponent(fileName)}`,
  chunks: (tenantId: string, kbId: string, contentHash: string) =>
    `chunks/${tenantId}/${kbId}/${contentHash}.json`,
  indexDir: (tenantId: string, kbId: string, version: number) => `index/${tenantId}/${kbId}/v${version}`,
  base: (tenantId: string, kbId: string) => [
    `uploads/${tenantId}/${kbId}/`,
    `chunks/${tenantId}/${kbId}/`,
    `index/${tenantId}/${kbId}/`,
  ],
};

/** LanceDB's object-store options for this storage (credentials come from the environment in AWS). */
export function lanceStorageOptions(storage: KnowledgeStorage): Record<string, string> {
  if (!storage.endpoint) return { region: storage.region };
  return {
    region: storage.region,
    endpoint: storage.endpoint,
    allow_http: 'true',
    aws_virtual_hosted_style_request: 'false',
    aws_access_key_id: 'local',
    aws_secret_access_key: 'local',
  };
}

async function s3<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new UnavailableError('The knowledge store is unavailable.', { cause: error });
  }
}

/** A presigned PUT bound to the declared type and exact size, valid for `expiresInSeconds`. */
export async function presignUpload(
  storage: KnowledgeStorage,
  key: string,
  contentType: string,
  sizeBytes: number,
  expiresInSeconds = 3600,
): Promise<{ url: string; headers: Record<string, string>; expiresAt: string }> {
  const url = await getSignedUrl(
    storage.s3,
    new PutObjectCommand({
      Bucket: storage.bucket,
      Key: key,
      ContentType: contentType,
      ContentLength: sizeBytes,
    }),
    { expiresIn: expiresInSeconds, signableHeaders: new Set(['content-type', 'content-length']) },
  );
  return {
    url,
    headers: { 'content-type': contentType, 'content-length': String(sizeBytes) },
    expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString(),
  };
}

export async function headObject(
  storage: KnowledgeStorage,
  key: string,
): Promise<{ size: number; contentType?: string } | undefined> {
  try {
    const out = await storage.s3.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: key }));
    return { size: Number(out.ContentLength ?? 0), contentType: out.ContentType };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (error as Error).name === 'NotFound') return undefined;
    throw new UnavailableError('The knowledge store is unavailable.', { cause: error });
  }
}

export async function getObjectBytes(storage: KnowledgeStorage, key: string): Promise<Buffer> {
  return s3(async () => {
    const out = await storage.s3.send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }));
    return Buffer.from(
      await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  });
}

export async function putJson(storage: KnowledgeStorage, key: string, value: unknown): Promise<void> {
  await s3(() =>
    storage.s3.send(
      new PutObjectCommand({
        Bucket: storage.bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    ),
  );
}

export async function getJson<T>(storage: KnowledgeStorage, key: string): Promise<T> {
  return JSON.parse((await getObjectBytes(storage, key)).toString('utf8')) as T;
}

/** Keys under a prefix, all pages. */
export async function listKeys(storage: KnowledgeStorage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await s3(() =>
      storage.s3.send(
        new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: prefix, ContinuationToken: token }),
      ),
    );
    for (const object of out.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

export async function deletePrefix(storage: KnowledgeStorage, prefix: string): Promise<number> {
  const keys = await listKeys(storage, prefix);
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    await s3(() =>
      storage.s3.send(
        new DeleteObjectsCommand({
          Bucket: storage.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      ),
    );
  }
  return keys.length;
}
