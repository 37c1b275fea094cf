import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { UnavailableError } from '../errors/app-error.ts';
import { type ExportCompletedEvent, ExportCompletedEventSchema } from './contracts.ts';
import {
  type BackfillJobMessage,
  BackfillJobMessageSchema,
  type ExportJobMessage,
  ExportJobMessageSchema,
} from './job-contracts.ts';
import type { QueueUrls } from './publisher.ts';

/**
 * Senders for the analytics job queues and the `export.completed` webhook. Each names its queue,
 * so the CDK access analysis grants exactly that queue to the handlers that call it.
 */
async function send(sqs: SQSClient, url: string | undefined, what: string, body: unknown): Promise<void> {
  if (!url) throw new UnavailableError(`The ${what} queue is not configured.`);
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(body) }));
  } catch (error) {
    throw new UnavailableError(`The ${what} queue is unavailable.`, { cause: error });
  }
}

export const queueExportJob = (sqs: SQSClient, urls: QueueUrls, message: ExportJobMessage) =>
  send(sqs, urls.exports, 'export', ExportJobMessageSchema.parse(message));

export const queueBackfillJob = (sqs: SQSClient, urls: QueueUrls, message: BackfillJobMessage) =>
  send(sqs, urls.backfills, 'backfill', BackfillJobMessageSchema.parse(message));

export const publishExportCompleted = (sqs: SQSClient, urls: QueueUrls, event: ExportCompletedEvent) =>
  send(sqs, urls.webhooks, 'webhook', ExportCompletedEventSchema.parse(event));
