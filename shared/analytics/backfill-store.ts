import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { stripKeys } from '../data/pagination.ts';
import { buildUpdate } from '../data/update-expression.ts';

/** `BACKFILL#bf_… / BACKFILL`: a counter rebuild job (platform admin; not under a tenant). */
export const backfillKey = (backfillId: string) => ({ pk: `BACKFILL#${backfillId}`, sk: 'BACKFILL' });

export type BackfillStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface BackfillJob {
  id: string;
  tenantId: string;
  from: string;
  to: string;
  /** The tenant's zone when the job was created: the days it rebuilds. */
  timezone: string;
  status: BackfillStatus;
  /** The next local day to rebuild; absent once every day is done. */
  nextDay?: string;
  daysDone: number;
  daysTotal: number;
  /** Months whose month buckets are rebuilt from their days, after all days. */
  months: string[];
  monthsDone: number;
  callsCounted: number;
  error?: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
}

export async function createBackfillJob(db: Db, job: BackfillJob): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...backfillKey(job.id), type: 'backfill', ...job },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

export async function getBackfillJob(db: Db, backfillId: string): Promise<BackfillJob | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: backfillKey(backfillId), ConsistentRead: true }),
    ),
  );
  return out.Item ? stripKeys<BackfillJob>(out.Item) : undefined;
}

/** Stores progress (every field given; `undefined` removes one). */
export async function saveBackfillProgress(db: Db, id: string, fields: Partial<BackfillJob>): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: backfillKey(id),
        // A field given as `undefined` is removed.
        ...buildUpdate({
          set: { ...fields, updatedAt: new Date().toISOString() },
          remove: Object.keys(fields).filter((key) => fields[key as keyof BackfillJob] === undefined),
        }),
      }),
    ),
  );
}
