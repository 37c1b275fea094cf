import type { SQSEvent } from 'aws-lambda';
import { processCrawlMessage } from '#shared/knowledge/crawl/process-crawl-message.ts';
import { CrawlPageMessageSchema } from '#shared/knowledge/knowledge-messages.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { processKnowledgeBatch } from './batch/knowledge-batch.ts';
import { crawlDepsFromEnv } from '../lib/knowledge-deps.ts';

const logger = createLogger({ context: { service: 'crawl-knowledge-page' } });

/** Knowledge crawl consumer (Lambda): one message per page, file, text or sitemap of a sync. */
export const handler = async (event: SQSEvent) => {
  const deps = crawlDepsFromEnv();
  return processKnowledgeBatch(event, {
    queueId: 'knowledgeCrawl',
    queueUrl: queueUrlsFromEnv().knowledgeCrawl,
    sqs: sqsFromEnv(),
    logger,
    schema: CrawlPageMessageSchema,
    handle: (message, context) =>
      processCrawlMessage(deps, message, {
        ...context,
        logger: context.logger.child({ kbId: message.kbId, syncId: message.syncId }),
      }),
  });
};
