import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { callPagesInWindow, usageRecordsOf } from '../analytics/call-window.ts';
import { getCampaign } from '../campaigns/campaign-store.ts';
import { addDays, startOfLocalDay } from '../analytics/time-zones.ts';
import type { Call } from '../calls/call-types.ts';
import type { Db } from '../data/client.ts';
import { queryAll } from '../data/pagination.ts';
import { NotFoundError } from '../errors/app-error.ts';
import { tenantPk } from '../data/keys.ts';
import { contactExportColumns, contactExportRow, contactPages } from './contact-export.ts';
import { type Cell, csvRow } from './csv.ts';
import { type ExportJob, updateExportJob } from './export-store.ts';
import { PartBuffer } from './part-buffer.ts';
import { exportColumns, exportRow } from './export-rows.ts';

/** Days an export object is kept (the bucket's lifecycle rule deletes it after this). */
export const EXPORT_RETENTION_DAYS = 7;
/**
 * Multipart part size: S3's minimum for every part but the last (5 MiB). The part is the bulk of
 * the exporter's working memory, so the smallest allowed size keeps RSS lowest; 100k calls are
 * still only ~10 parts (10,000 allowed).
 */
export const PART_BYTES = 5 * 1024 * 1024;
/** Room past the part size for the rest of the page that crosses it (a page is ≤ 1 MB of items). */
const PART_SLACK_BYTES = 1024 * 1024;

export interface ExportDeps {
  db: Db;
  s3: S3Client;
  now?: () => number;
  partBytes?: number;
  /** Called after each checkpoint (tests stop a run here to prove it resumes). */
  onCheckpoint?: (job: ExportJob) => Promise<void> | void;
}

const contentType = (format: ExportJob['format']) =>
  format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';

function matches(call: Call, filters: ExportJob['filters']): boolean {
  return (
    (!filters.agentId || call.agentId === filters.agentId) &&
    (!filters.status || call.status === filters.status) &&
    (!filters.direction || call.direction === filters.direction)
  );
}

async function columnsFor(db: Db, job: ExportJob): Promise<string[]> {
  if (job.dataset === 'campaign_contacts') {
    const campaign = await getCampaign(db, job.tenantId, job.filters.campaignId ?? '');
    if (!campaign) throw new NotFoundError('The campaign no longer exists.');
    return contactExportColumns(campaign);
  }
  const agents = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': tenantPk(job.tenantId), ':prefix': 'AGENT#' },
    ProjectionExpression: 'summarySchema',
  });
  return exportColumns(agents.map((a) => a.summarySchema as Record<string, unknown> | undefined));
}

type RowPage = { rows: Record<string, Cell>[]; lastKey: Record<string, unknown> | undefined };

/** The job's rows one Query page at a time, from the checkpoint's cursor on. */
async function* rowPages(db: Db, job: ExportJob, columns: readonly string[]): AsyncGenerator<RowPage> {
  if (job.dataset === 'campaign_contacts') {
    const pages = contactPages(db, job.filters.campaignId ?? '', {
      state: job.filters.state,
      startKey: job.cursor,
    });
    for await (const page of pages) {
      yield { rows: page.contacts.map((c) => contactExportRow(c, columns)), lastKey: page.lastKey };
    }
    return;
  }
  const fromMs = startOfLocalDay(job.from ?? '', job.timezone);
  const toMs = startOfLocalDay(addDays(job.to ?? '', 1), job.timezone);
  for await (const page of callPagesInWindow(db, job.tenantId, { fromMs, toMs, startKey: job.cursor })) {
    const calls = page.calls.filter((call) => matches(call, job.filters));
    const usage = await usageRecordsOf(db, calls);
    yield { rows: calls.map((call) => exportRow(call, usage.get(call.id), columns)), lastKey: page.lastKey };
  }
}

/**
 * Streams a job's rows (a range's calls, or a campaign's contacts) into S3 as one multipart upload. Memory stays bounded by one part; after
 * each uploaded part the job stores the part list and the Query cursor, so a crashed run resumes
 * at the next page instead of starting over. Returns false when the job was already final.
 */
export async function runExport(deps: ExportDeps, initial: ExportJob): Promise<boolean> {
  const { db, s3 } = deps;
  const now = deps.now ?? Date.now;
  const partBytes = deps.partBytes ?? PART_BYTES;
  if (initial.status === 'completed' || initial.status === 'failed') return false;
  const job: ExportJob = { ...initial };
  if (!job.uploadId) {
    job.columns = await columnsFor(db, job);
    const upload = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: job.bucket,
        Key: job.objectKey,
        ContentType: contentType(job.format),
        ServerSideEncryption: 'AES256',
      }),
    );
    job.uploadId = upload.UploadId;
    job.parts = [];
    job.cursor = undefined;
    job.rowsWritten = 0;
    job.bytesWritten = 0;
    job.startedAt = new Date(now()).toISOString();
    const open = await updateExportJob(db, job, {
      status: 'running',
      columns: job.columns,
      uploadId: job.uploadId,
      parts: [],
      cursor: undefined,
      rowsWritten: 0,
      bytesWritten: 0,
      startedAt: job.startedAt,
    });
    if (!open) return false;
  }
  const columns = job.columns ?? [];
  const parts = [...(job.parts ?? [])];
  const part = new PartBuffer(partBytes + PART_SLACK_BYTES);
  const write = (text: string) => part.write(text);
  if (parts.length === 0 && !job.cursor && job.format === 'csv') write(csvRow(columns));
  let rows = job.rowsWritten;
  const started = now();
  const rowsAtStart = rows;

  const uploadPart = async () => {
    const body = part.view();
    const partNumber = parts.length + 1;
    const out = await s3.send(
      new UploadPartCommand({
        Bucket: job.bucket,
        Key: job.objectKey,
        UploadId: job.uploadId,
        PartNumber: partNumber,
        Body: body,
      }),
    );
    parts.push({ PartNumber: partNumber, ETag: String(out.ETag) });
    job.bytesWritten = (job.bytesWritten ?? 0) + body.length;
    part.clear();
  };
  const progress = () => {
    const percent = job.rowsExpected > 0 ? Math.min(99, Math.floor((rows / job.rowsExpected) * 100)) : 0;
    const rate = (rows - rowsAtStart) / Math.max(0.001, (now() - started) / 1000);
    const etaSeconds = rate > 0 ? Math.max(0, Math.ceil((job.rowsExpected - rows) / rate)) : null;
    return { rowsWritten: rows, percent, etaSeconds };
  };

  for await (const page of rowPages(db, job, columns)) {
    for (const row of page.rows) {
      write(job.format === 'csv' ? csvRow(columns.map((c) => row[c])) : `${JSON.stringify(row)}\n`);
    }
    rows += page.rows.length;
    if (part.length >= partBytes && page.lastKey) {
      await uploadPart();
      job.parts = parts;
      job.cursor = page.lastKey;
      job.rowsWritten = rows;
      const open = await updateExportJob(db, job, {
        parts,
        cursor: page.lastKey,
        bytesWritten: job.bytesWritten,
        ...progress(),
      });
      if (!open) return false;
      await deps.onCheckpoint?.(job);
    } else if (page.rows.length > 0) {
      // Progress between checkpoints is for display; a resumed run restarts from the checkpoint.
      await updateExportJob(db, job, progress());
    }
  }
  if (part.length > 0 || parts.length === 0) await uploadPart();
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: job.bucket,
      Key: job.objectKey,
      UploadId: job.uploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  const completedAt = now();
  return updateExportJob(db, job, {
    status: 'completed',
    rowsWritten: rows,
    percent: 100,
    etaSeconds: 0,
    parts: undefined,
    cursor: undefined,
    bytesWritten: job.bytesWritten,
    completedAt: new Date(completedAt).toISOString(),
    objectExpiresAt: new Date(completedAt + EXPORT_RETENTION_DAYS * 86_400_000).toISOString(),
  } as Partial<ExportJob>);
}
