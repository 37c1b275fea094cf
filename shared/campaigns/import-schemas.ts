import { z } from 'zod';
import { TimestampSchema } from '../api/common-schemas.ts';
import { RejectedContactSchema } from './campaign-schemas.ts';

/**
 * The HTTP contract of contact imports (bodies and responses), apart from the use cases in
 * `import-api.ts` so the API description loads no storage client.
 */

/** Rejected rows kept on the import itself; the rest are in the error report. */
export const INLINE_ERRORS = 100;

/** Largest CSV accepted (about a million rows of a number and two short variables). */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

const FileSizeSchema = z
  .number()
  .int()
  .min(1)
  .max(MAX_IMPORT_BYTES)
  .describe('Exact size of the file to upload, in bytes.');

export const CreateImportBodySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('campaign_contacts').describe('Contacts of a campaign.'),
    campaignId: z.string().min(1).max(64).describe('The campaign the contacts join.'),
    sizeBytes: FileSizeSchema,
  }),
  z.strictObject({
    type: z.literal('dnc').describe('Numbers for the do-not-call list.'),
    sizeBytes: FileSizeSchema,
  }),
]);

export const ImportSchema = z.strictObject({
  id: z.string().describe('`imp_…`'),
  type: z.enum(['campaign_contacts', 'dnc']).describe('What the rows are.'),
  campaignId: z.string().optional().describe('The campaign, for contacts.'),
  status: z
    .enum(['awaiting_upload', 'queued', 'running', 'completed', 'failed'])
    .describe('awaiting_upload → queued (started) → running → completed | failed'),
  rowsRead: z.number().int().describe('Data rows read so far (the header excluded).'),
  rowsImported: z.number().int().describe('Rows stored.'),
  rowsRejected: z.number().int().describe('Rows not stored; see `errors` and the error report.'),
  skippedDnc: z
    .number()
    .int()
    .describe('Contacts stored as `skipped_dnc` because the number is on the do-not-call list.'),
  percent: z.number().describe('Share of the file read, 0–100.'),
  errors: z
    .array(RejectedContactSchema)
    .describe(`The first ${INLINE_ERRORS} rejected rows (\`index\` is the data row number, from 1).`),
  errorReportUrl: z
    .string()
    .optional()
    .describe('Presigned GET of the full error report (CSV: row, number, error), once completed.'),
  error: z.string().optional().describe('Why the job failed as a whole.'),
  createdAt: TimestampSchema.describe('When it was created.'),
  startedAt: TimestampSchema.optional().describe('When it started running.'),
  completedAt: TimestampSchema.optional().describe('When it finished.'),
});

export const ImportUploadSchema = z.strictObject({
  url: z.string().describe('Presigned URL: PUT the file here.'),
  method: z.literal('PUT').describe('Always PUT.'),
  headers: z.record(z.string(), z.string()).describe('Send exactly these headers with the PUT.'),
  expiresAt: TimestampSchema.describe('The URL stops working then.'),
});
