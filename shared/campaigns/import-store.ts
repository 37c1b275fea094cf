import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from '../data/dynamo-errors.ts';
import { stripKeys } from '../data/pagination.ts';
import { buildUpdate } from '../data/update-expression.ts';
import { campaignKeys } from './campaign-keys.ts';
import type { RejectedContact } from './contact-intake.ts';

export type ImportKind = 'campaign_contacts' | 'dnc';
export type ImportStatus = 'awaiting_upload' | 'queued' | 'running' | 'completed' | 'failed';

export interface ContactImport {
  id: string;
  tenantId: string;
  kind: ImportKind;
  campaignId?: string;
  status: ImportStatus;
  bucket: string;
  objectKey: string;
  sizeBytes: number;
  /** Data rows read (the header excluded). */
  rowsRead: number;
  rowsImported: number;
  rowsRejected: number;
  /** Contacts stored as `skipped_dnc` (on the list already). */
  skippedDnc: number;
  /** Data rows fully handled: a resumed job skips them. */
  checkpointRow: number;
  bytesRead: number;
  errors: RejectedContact[];
  errorReportKey?: string;
  error?: string;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
}

export async function createImport(db: Db, job: ContactImport): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...campaignKeys.importJob(job.tenantId, job.id), type: 'import', ...job },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

export async function getImport(
  db: Db,
  tenantId: string,
  importId: string,
): Promise<ContactImport | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: campaignKeys.importJob(tenantId, importId),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<ContactImport>(out.Item) : undefined;
}

/**
 * Writes fields of a job that is in one of `from` (the status machine is guarded in the write,
 * so a redelivered message never reopens a finished job). False when it was not.
 */
export async function updateImport(
  db: Db,
  job: Pick<ContactImport, 'tenantId' | 'id'>,
  from: readonly ImportStatus[],
  fields: Partial<ContactImport>,
): Promise<boolean> {
  const values: Record<string, unknown> = {};
  from.forEach((status, i) => {
    values[`:from${i}`] = status;
  });
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: campaignKeys.importJob(job.tenantId, job.id),
        ...buildUpdate({
          set: fields,
          condition: {
            expression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
            names: { '#status': 'status' },
            values,
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
