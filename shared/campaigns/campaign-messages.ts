import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { UnavailableError } from '../errors/app-error.ts';
import type { QueueUrls } from '../queues/publisher.ts';

/**
 * `campaign.dial`: place the call of one claimed contact. The dispatcher sends it after moving the
 * contact to `dialing` with a fresh `dialToken`; a copy whose token no longer matches (a duplicate,
 * or a command for a claim that was since undone) is dropped by the dialer.
 */
export const DialCommandSchema = z.object({
  schemaVersion: z.literal(1),
  type: z.literal('campaign.dial'),
  tenantId: z.string().min(1),
  campaignId: z.string().min(1),
  number: z.string().min(1),
  dialToken: z.string().min(1),
});
export type DialCommand = z.output<typeof DialCommandSchema>;

/** `contacts.import`: run (or resume) one CSV import job. */
export const ImportJobMessageSchema = z.object({
  schemaVersion: z.literal(1),
  type: z.literal('contacts.import'),
  tenantId: z.string().min(1),
  importId: z.string().min(1),
});
export type ImportJobMessage = z.output<typeof ImportJobMessageSchema>;

/** Sends dial commands, ten per SendMessageBatch; throws if any could not be queued. */
export async function queueDialCommands(
  sqs: SQSClient,
  urls: QueueUrls,
  commands: readonly DialCommand[],
): Promise<void> {
  const url = urls.campaignDials;
  if (!url) throw new UnavailableError('The campaign dial queue is not configured.');
  for (let i = 0; i < commands.length; i += 10) {
    const batch = commands.slice(i, i + 10);
    try {
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: batch.map((command, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(DialCommandSchema.parse(command)),
          })),
        }),
      );
      if (out.Failed?.length) throw new Error(`${out.Failed.length} dial commands refused`);
    } catch (error) {
      throw new UnavailableError('The campaign dial queue is unavailable.', { cause: error });
    }
  }
}

export async function queueImportJob(
  sqs: SQSClient,
  urls: QueueUrls,
  message: ImportJobMessage,
): Promise<void> {
  const url = urls.contactImports;
  if (!url) throw new UnavailableError('The import queue is not configured.');
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify(ImportJobMessageSchema.parse(message)),
      }),
    );
  } catch (error) {
    throw new UnavailableError('The import queue is unavailable.', { cause: error });
  }
}
