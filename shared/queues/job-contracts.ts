import { z } from 'zod';

/** Messages of the analytics job queues: each names a job whose state lives in DynamoDB. */
export const ExportJobMessageSchema = z.object({
  schemaVersion: z.literal(1),
  type: z.literal('export.run'),
  tenantId: z.string().min(1),
  exportId: z.string().min(1),
});
export type ExportJobMessage = z.output<typeof ExportJobMessageSchema>;

export const BackfillJobMessageSchema = z.object({
  schemaVersion: z.literal(1),
  type: z.literal('backfill.run'),
  backfillId: z.string().min(1),
});
export type BackfillJobMessage = z.output<typeof BackfillJobMessageSchema>;
