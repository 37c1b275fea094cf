import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { z } from 'zod';
import type { Db } from '../data/client.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import { queueImportJob } from './campaign-messages.ts';
import { getCampaign } from './campaign-store.ts';
import { type ContactImport, createImport, getImport, updateImport } from './import-store.ts';
import type { CreateImportBodySchema, ImportSchema } from './import-schemas.ts';

const UPLOAD_URL_TTL_SECONDS = 3600;

export interface ImportDepsApi {
  db: Db;
  s3: S3Client;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  bucket: string;
}

/** A new import waiting for its upload, with the presigned PUT for exactly `sizeBytes` of CSV. */
export async function createImportJob(
  deps: ImportDepsApi,
  tenantId: string,
  body: z.output<typeof CreateImportBodySchema>,
  now = new Date(),
) {
  if (body.type === 'campaign_contacts') {
    const campaign = await getCampaign(deps.db, tenantId, body.campaignId);
    if (!campaign) {
      throw new ValidationError('campaignId is not a campaign of this account', {
        details: [{ path: 'campaignId', message: 'not found' }],
      });
    }
    if (campaign.status === 'completed' || campaign.status === 'canceled') {
      throw new ConflictError(`Contacts cannot be added to a ${campaign.status} campaign.`, {
        details: { reason: 'campaign_finished', status: campaign.status },
      });
    }
  }
  const id = newId('contactImport', now.getTime());
  const job: ContactImport = {
    id,
    tenantId,
    kind: body.type,
    ...(body.type === 'campaign_contacts' ? { campaignId: body.campaignId } : {}),
    status: 'awaiting_upload',
    bucket: deps.bucket,
    objectKey: `imports/${tenantId}/${id}.csv`,
    sizeBytes: body.sizeBytes,
    rowsRead: 0,
    rowsImported: 0,
    rowsRejected: 0,
    skippedDnc: 0,
    checkpointRow: 0,
    bytesRead: 0,
    errors: [],
    createdAt: now.toISOString(),
  };
  await createImport(deps.db, job);
  const headers = { 'content-type': 'text/csv', 'content-length': String(body.sizeBytes) };
  const url = await getSignedUrl(
    deps.s3,
    new PutObjectCommand({
      Bucket: job.bucket,
      Key: job.objectKey,
      ContentType: 'text/csv',
      ContentLength: body.sizeBytes,
    }),
    {
      expiresIn: UPLOAD_URL_TTL_SECONDS,
      signableHeaders: new Set(['content-type', 'content-length']),
      signingDate: now,
    },
  );
  return {
    job,
    upload: {
      url,
      method: 'PUT' as const,
      headers,
      expiresAt: new Date(now.getTime() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString(),
    },
  };
}

export async function requireImport(db: Db, tenantId: string, importId: string): Promise<ContactImport> {
  const job = await getImport(db, tenantId, importId);
  if (!job) throw new NotFoundError('Import not found.');
  return job;
}

/** Queues an uploaded import; 409 before the upload or once it started. */
export async function startImportJob(
  deps: ImportDepsApi,
  tenantId: string,
  importId: string,
): Promise<ContactImport> {
  const job = await requireImport(deps.db, tenantId, importId);
  if (job.status !== 'awaiting_upload') {
    throw new ConflictError(`The import is already ${job.status}.`, {
      details: { reason: 'invalid_transition', from: job.status },
    });
  }
  try {
    await deps.s3.send(new HeadObjectCommand({ Bucket: job.bucket, Key: job.objectKey }));
  } catch {
    throw new ConflictError('Nothing was uploaded yet: PUT the file to the upload URL first.', {
      details: { reason: 'upload_missing' },
    });
  }
  if (!(await updateImport(deps.db, job, ['awaiting_upload'], { status: 'queued' }))) {
    throw new ConflictError('The import was started already.', { details: { reason: 'invalid_transition' } });
  }
  await queueImportJob(deps.sqs, deps.queueUrls, {
    schemaVersion: 1,
    type: 'contacts.import',
    tenantId,
    importId,
  });
  return { ...job, status: 'queued' };
}

export async function presentImport(
  job: ContactImport,
  s3: S3Client,
  now = new Date(),
): Promise<z.output<typeof ImportSchema>> {
  const errorReportUrl =
    job.status === 'completed' && job.errorReportKey
      ? await getSignedUrl(s3, new GetObjectCommand({ Bucket: job.bucket, Key: job.errorReportKey }), {
          expiresIn: 900,
          signingDate: now,
        })
      : undefined;
  return {
    id: job.id,
    type: job.kind,
    ...(job.campaignId ? { campaignId: job.campaignId } : {}),
    status: job.status,
    rowsRead: job.rowsRead,
    rowsImported: job.rowsImported,
    rowsRejected: job.rowsRejected,
    skippedDnc: job.skippedDnc,
    percent:
      job.status === 'completed'
        ? 100
        : Math.min(99, Math.floor((100 * (job.bytesRead ?? 0)) / Math.max(1, job.sizeBytes))),
    errors: job.errors ?? [],
    ...(errorReportUrl ? { errorReportUrl } : {}),
    ...(job.error ? { error: job.error } : {}),
    createdAt: job.createdAt,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.completedAt ? { completedAt: job.completedAt } : {}),
  };
}
