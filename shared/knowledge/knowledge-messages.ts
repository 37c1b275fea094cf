import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { UnavailableError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import type { QueueUrls } from '../queues/publisher.ts';

const Base = {
  schemaVersion: z.literal(1),
  eventId: z.string().min(1),
  tenantId: z.string().min(1),
  kbId: z.string().min(1),
};

/** One frontier entry of a sync to process (a page, a sitemap, a text or an uploaded file). */
export const CrawlPageMessageSchema = z.object({
  ...Base,
  type: z.literal('knowledge.page'),
  syncId: z.string().min(1),
  url: z.string().min(1),
});
export type CrawlPageMessage = z.output<typeof CrawlPageMessageSchema>;

/** Every entry of the sync finished: build and publish the index version. */
export const PublishIndexMessageSchema = z.object({
  ...Base,
  type: z.literal('knowledge.publish'),
  syncId: z.string().min(1),
});

/**
 * The base was deleted: remove its documents, chunks and index data. The first pass runs at once
 * and schedules the `final` one, which catches what writers mid-way at the delete stored after it.
 */
export const PurgeKnowledgeBaseMessageSchema = z.object({
  ...Base,
  type: z.literal('knowledge.purge'),
  final: z.boolean().optional(),
});

export const IndexMessageSchema = z.discriminatedUnion('type', [
  PublishIndexMessageSchema,
  PurgeKnowledgeBaseMessageSchema,
]);
export type IndexMessage = z.output<typeof IndexMessageSchema>;

/** SQS caps a message delay at 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

async function send(
  sqs: SQSClient,
  queueUrl: string | undefined,
  body: unknown,
  delaySeconds = 0,
): Promise<void> {
  if (!queueUrl) throw new UnavailableError('The knowledge queues are not configured.');
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(body),
        DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
      }),
    );
  } catch (error) {
    throw new UnavailableError('The knowledge queue is unavailable.', { cause: error });
  }
}

export function sendCrawlPage(
  sqs: SQSClient,
  urls: QueueUrls,
  input: { tenantId: string; kbId: string; syncId: string; url: string },
  delaySeconds = 0,
): Promise<void> {
  const message: CrawlPageMessage = {
    schemaVersion: 1,
    eventId: newId('event'),
    type: 'knowledge.page',
    ...input,
  };
  return send(sqs, urls.knowledgeCrawl, message, delaySeconds);
}

export function sendIndexMessage(
  sqs: SQSClient,
  urls: QueueUrls,
  input:
    | { type: 'knowledge.publish'; tenantId: string; kbId: string; syncId: string }
    | { type: 'knowledge.purge'; tenantId: string; kbId: string; final?: boolean },
  delaySeconds = 0,
): Promise<void> {
  return send(
    sqs,
    urls.knowledgeIndex,
    { schemaVersion: 1, eventId: newId('event'), ...input },
    delaySeconds,
  );
}
