import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import type { Db } from '../data/client.ts';
import { csvRow } from '../exports/csv.ts';
import type { Logger } from '../logging/logger.ts';
import { getCampaign } from './campaign-store.ts';
import type { Campaign } from './campaign-types.ts';
import { addContacts, normalizeNumber, type RejectedContact } from './contact-intake.ts';
import { type CsvContact, CsvTextDecoder, contactOfRow, csvLayout } from './csv-rows.ts';
import { addDncEntry } from './dnc-store.ts';
import { INLINE_ERRORS } from './import-schemas.ts';
import { type ContactImport, getImport, updateImport } from './import-store.ts';

/** Rows handled per step: one contacts batch, one progress write. */
const ROWS_PER_STEP = 500;
const DNC_WRITE_CONCURRENCY = 25;

export interface ImportDeps {
  db: Db;
  s3: S3Client;
  logger: Logger;
  now?: () => Date;
}

export type ImportRunResult = 'completed' | 'failed' | 'not_found' | 'not_runnable';

/**
 * Runs (or resumes) a CSV import: streams the uploaded object through the decoder and the CSV
 * parser, imports the good rows in steps of 500, lists every rejected row with its row number,
 * and saves progress after each step so a crashed run resumes after the last step it finished.
 * Ends with the full error report written beside the upload.
 */
export async function runImport(
  deps: ImportDeps,
  tenantId: string,
  importId: string,
): Promise<ImportRunResult> {
  const now = () => deps.now?.() ?? new Date();
  const job = await getImport(deps.db, tenantId, importId);
  if (!job) return 'not_found';
  if (
    !(await updateImport(deps.db, job, ['queued', 'running'], {
      status: 'running',
      startedAt: job.startedAt ?? now().toISOString(),
    }))
  ) {
    return 'not_runnable';
  }
  const fail = async (error: string, progress: Partial<ContactImport> = {}) => {
    await updateImport(deps.db, job, ['running'], {
      ...progress,
      status: 'failed',
      error,
      completedAt: now().toISOString(),
    });
    return 'failed' as const;
  };
  let campaign: Campaign | undefined;
  if (job.kind === 'campaign_contacts') {
    campaign = job.campaignId ? await getCampaign(deps.db, tenantId, job.campaignId) : undefined;
    if (!campaign) return fail('The campaign no longer exists.');
    if (campaign.status === 'completed' || campaign.status === 'canceled') {
      return fail(`Contacts cannot be added to a ${campaign.status} campaign.`);
    }
  }
  try {
    await deps.s3.send(new HeadObjectCommand({ Bucket: job.bucket, Key: job.objectKey }));
  } catch {
    return fail('Nothing was uploaded: PUT the file to the upload URL first.');
  }
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: job.bucket, Key: job.objectKey }));
  const body = object.Body as Readable;
  const decoder = new CsvTextDecoder();
  const parser = parse({ relax_column_count: true, relax_quotes: true, skip_empty_lines: true });
  let bytesRead = 0;
  body.on('data', (chunk: Buffer) => {
    bytesRead += chunk.length;
  });
  body.pipe(decoder).pipe(parser);
  body.on('error', (err) => parser.destroy(err));

  const counts = {
    rowsRead: job.checkpointRow,
    rowsImported: job.rowsImported,
    rowsRejected: job.rowsRejected,
    skippedDnc: job.skippedDnc,
  };
  const errors: RejectedContact[] = [...(job.errors ?? [])];
  let header: string[] | undefined;
  let layout: ReturnType<typeof csvLayout>;
  let rowNumber = 0;
  let step: { row: number; contact: CsvContact }[] = [];

  const flush = async () => {
    if (step.length === 0) return;
    const handled = await importStep(deps.db, job, campaign, step, now());
    counts.rowsImported += handled.imported;
    counts.skippedDnc += handled.skippedDnc;
    counts.rowsRejected += handled.rejected.length;
    errors.push(...handled.rejected);
    counts.rowsRead = rowNumber;
    step = [];
    await updateImport(deps.db, job, ['running'], {
      ...counts,
      checkpointRow: rowNumber,
      bytesRead,
      errors: errors.slice(0, INLINE_ERRORS),
    });
  };

  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = record;
        layout = csvLayout(record, job.kind);
        if (!layout) {
          body.destroy();
          return fail('The header row has no number column (number, phone or phone_number).');
        }
        continue;
      }
      rowNumber++;
      if (rowNumber <= job.checkpointRow) continue;
      step.push({
        row: rowNumber,
        contact: contactOfRow(record, layout as NonNullable<typeof layout>, header.length),
      });
      if (step.length >= ROWS_PER_STEP) await flush();
    }
    await flush();
  } catch (error) {
    deps.logger.warn('import stopped on unreadable CSV', { importId, err: error });
    return fail(`The file is not readable as CSV after data row ${rowNumber}: ${(error as Error).message}`, {
      ...counts,
      errors: errors.slice(0, INLINE_ERRORS),
    });
  }
  if (!header) return fail('The file is empty.');
  const errorReportKey = `${job.objectKey.replace(/\.csv$/, '')}-errors.csv`;
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: job.bucket,
      Key: errorReportKey,
      ContentType: 'text/csv; charset=utf-8',
      Body: [
        csvRow(['row', 'number', 'error']),
        ...errors.map((e) => csvRow([e.index, e.number, e.error])),
      ].join(''),
    }),
  );
  await updateImport(deps.db, job, ['running'], {
    ...counts,
    rowsRead: rowNumber,
    checkpointRow: rowNumber,
    bytesRead: job.sizeBytes,
    errors: errors.slice(0, INLINE_ERRORS),
    errorReportKey,
    status: 'completed',
    completedAt: now().toISOString(),
  });
  return 'completed';
}

async function importStep(
  db: Db,
  job: ContactImport,
  campaign: Campaign | undefined,
  rows: { row: number; contact: CsvContact }[],
  now: Date,
): Promise<{ imported: number; skippedDnc: number; rejected: RejectedContact[] }> {
  const rejected: RejectedContact[] = [];
  const good: { row: number; contact: Extract<CsvContact, { ok: true }> }[] = [];
  for (const { row, contact } of rows) {
    if (contact.ok) good.push({ row, contact });
    else rejected.push({ index: row, number: contact.number, error: contact.error });
  }
  if (campaign) {
    const result = await addContacts(
      db,
      campaign,
      good.map(({ contact }) => ({
        number: contact.number,
        ...(contact.timezone ? { timezone: contact.timezone } : {}),
        variables: contact.variables,
      })),
      { now, indexOf: (i) => (good[i] as { row: number }).row },
    );
    rejected.push(...result.rejected);
    rejected.sort((a, b) => a.index - b.index);
    return { imported: result.accepted, skippedDnc: result.skippedDnc, rejected };
  }
  let imported = 0;
  for (let i = 0; i < good.length; i += DNC_WRITE_CONCURRENCY) {
    await Promise.all(
      good.slice(i, i + DNC_WRITE_CONCURRENCY).map(async ({ row, contact }) => {
        const number = normalizeNumber(contact.number);
        if (!number) {
          rejected.push({ index: row, number: contact.number, error: 'invalid_number' });
          return;
        }
        await addDncEntry(db, {
          tenantId: job.tenantId,
          number,
          source: 'import',
          ...(contact.reason ? { reason: contact.reason } : {}),
          createdAt: now.toISOString(),
        });
        imported++;
      }),
    );
  }
  rejected.sort((a, b) => a.index - b.index);
  return { imported, skippedDnc: 0, rejected };
}
