import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from '../data/dynamo-errors.ts';
import { tenantPk } from '../data/keys.ts';
import { stripKeys } from '../data/pagination.ts';
import { buildUpdate } from '../data/update-expression.ts';

/** `TENANT#t / EXPORT#exp_…`: one export job, its progress and its multipart checkpoint. */
export const exportKey = (tenantId: string, exportId: string) => ({
  pk: tenantPk(tenantId),
  sk: `EXPORT#${exportId}`,
});

export type ExportStatus = 'queued' | 'running' | 'completed' | 'failed';
export type ExportFormat = 'csv' | 'jsonl';

export interface ExportFilters {
  agentId?: string;
  status?: string;
  direction?: string;
  /** Campaign-contacts exports: the campaign (required) and, optionally, one contact state. */
  campaignId?: string;
  state?: string;
}

export type ExportDataset = 'calls' | 'campaign_contacts';

export interface ExportJob {
  id: string;
  tenantId: string;
  /** What is exported (the API's `type`; the item's own `type` attribute is its family). */
  dataset: ExportDataset;
  /** The bucket the object goes to, fixed at creation. */
  bucket: string;
  format: ExportFormat;
  /** The days of a calls export (absent for a campaign's contacts). */
  from?: string;
  to?: string;
  timezone: string;
  filters: ExportFilters;
  status: ExportStatus;
  rowsWritten: number;
  percent?: number;
  etaSeconds?: number | null;
  /** Calls expected (from the counters), for percent and ETA. */
  rowsExpected: number;
  objectKey: string;
  columns?: string[];
  /** Multipart checkpoint: where the next page starts and the parts already uploaded. */
  uploadId?: string;
  parts?: { PartNumber: number; ETag: string }[];
  cursor?: Record<string, unknown>;
  bytesWritten?: number;
  error?: string;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  /** When the object is deleted by the bucket's lifecycle rule. */
  objectExpiresAt?: string;
}

export async function createExportJob(db: Db, job: ExportJob): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...exportKey(job.tenantId, job.id), ...job },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

export async function getExportJob(
  db: Db,
  tenantId: string,
  exportId: string,
): Promise<ExportJob | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: exportKey(tenantId, exportId), ConsistentRead: true }),
    ),
  );
  return out.Item ? stripKeys<ExportJob>(out.Item) : undefined;
}

/**
 * Sets fields of a job, unless it already finished (`completed`/`failed` are final): returns
 * false when the job was final, so a redelivered message never reopens it.
 */
export async function updateExportJob(
  db: Db,
  job: Pick<ExportJob, 'tenantId' | 'id'>,
  fields: Partial<ExportJob>,
): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: exportKey(job.tenantId, job.id),
        // A field given as `undefined` is removed.
        ...buildUpdate({
          set: fields,
          remove: Object.keys(fields).filter((key) => fields[key as keyof ExportJob] === undefined),
          condition: {
            expression: 'attribute_exists(pk) AND #status <> :completed AND #status <> :failed',
            names: { '#status': 'status' },
            values: { ':completed': 'completed', ':failed': 'failed' },
          },
        }),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}
