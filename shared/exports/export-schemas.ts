import { z } from 'zod';
import { AnalyticsRangeQuerySchema } from '../analytics/analytics-query.ts';
import { CONTACT_STATES } from '../campaigns/campaign-types.ts';

/**
 * The HTTP contract of exports (calls, campaign contacts), apart from the use cases in `export-api.ts` so the API
 * description loads no storage client.
 */

const FormatSchema = z
  .enum(['csv', 'jsonl'])
  .default('csv')
  .describe('`csv` (default) or `jsonl` (one JSON object per line).');

const CallsExportBodySchema = z.strictObject({
  type: z.literal('calls').describe('What to export (calls, with summary, QA, cost and telemetry).'),
  format: FormatSchema,
  from: AnalyticsRangeQuerySchema.shape.from,
  to: AnalyticsRangeQuerySchema.shape.to,
  timezone: AnalyticsRangeQuerySchema.shape.timezone,
  filters: z
    .strictObject({
      agentId: AnalyticsRangeQuerySchema.shape.agentId,
      status: z
        .enum(['completed', 'failed', 'busy', 'no_answer', 'canceled', 'queued', 'ringing', 'in_progress'])
        .optional()
        .describe('Only calls with this status.'),
      direction: z
        .enum(['inbound', 'outbound'])
        .optional()
        .describe('Only `inbound` or only `outbound` calls.'),
    })
    .default({})
    .describe('Which calls to include; all calls of the range when empty.'),
});

const CampaignContactsExportBodySchema = z.strictObject({
  type: z
    .literal('campaign_contacts')
    .describe(
      "What to export: a campaign's contacts with state, attempts, last outcome, call ids, variables.",
    ),
  format: FormatSchema,
  campaignId: z.string().min(1).max(64).describe('The campaign (`cmp_…`).'),
  filters: z
    .strictObject({
      state: z.enum(CONTACT_STATES).optional().describe('Only contacts in this state.'),
    })
    .default({})
    .describe('Which contacts to include; all of the campaign when empty.'),
});

export const CreateExportBodySchema = z.discriminatedUnion('type', [
  CallsExportBodySchema,
  CampaignContactsExportBodySchema,
]);

export const ExportSchema = z.strictObject({
  id: z.string().describe('`exp_…`'),
  type: z.enum(['calls', 'campaign_contacts']).describe('What is exported: `calls` or `campaign_contacts`.'),
  format: z.enum(['csv', 'jsonl']).describe('`csv` or `jsonl`.'),
  from: z.string().optional().describe('Calls exports: first day, inclusive (YYYY-MM-DD in `timezone`).'),
  to: z.string().optional().describe('Calls exports: last day, inclusive (YYYY-MM-DD in `timezone`).'),
  campaignId: z.string().optional().describe('Campaign-contacts exports: the campaign.'),
  timezone: z.string().describe('IANA time zone the days are counted in.'),
  status: z
    .enum(['queued', 'running', 'completed', 'failed'])
    .describe('`queued`, `running`, then `completed` (download from `url`) or `failed` (see `error`).'),
  rowsWritten: z.number().int().nonnegative().describe('Calls written to the file so far.'),
  percent: z.number().int().min(0).max(100).describe('Progress, 0–100.'),
  etaSeconds: z
    .number()
    .int()
    .nonnegative()
    .nullable()
    .describe('Estimated seconds left; null until it can be estimated, 0 once completed.'),
  url: z.string().optional().describe('Presigned download URL (completed exports), valid until `expiresAt`.'),
  expiresAt: z
    .string()
    .optional()
    .describe('When `url` stops working (ISO 8601); ask again for a fresh one.'),
  objectExpiresAt: z.string().optional().describe('When the file itself is deleted.'),
  error: z.string().optional().describe('Why the export failed.'),
  createdAt: z.string().describe('When the export was requested (ISO 8601).'),
  completedAt: z.string().optional().describe('When the file was complete (ISO 8601).'),
});
