import type { SQSEvent } from 'aws-lambda';
import { dbFromEnv } from '#shared/data/client.ts';
import { publishSync, purgeKnowledgeBase } from '#shared/knowledge/index/publish-index.ts';
import { IndexMessageSchema } from '#shared/knowledge/knowledge-messages.ts';
import { knowledgeStorageFromEnv } from '#shared/knowledge/knowledge-storage.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { processKnowledgeBatch } from './batch/knowledge-batch.ts';

const logger = createLogger({ context: { service: 'publish-knowledge-index' } });

/** Knowledge index consumer (Lambda): publishes a drained sync's index version, purges deleted bases. */
export const handler = async (event: SQSEvent) =>
  processKnowledgeBatch(event, {
    queueId: 'knowledgeIndex',
    queueUrl: queueUrlsFromEnv().knowledgeIndex,
    sqs: sqsFromEnv(),
    logger,
    schema: IndexMessageSchema,
    handle: async (message, context) => {
      const deps = { db: dbFromEnv(), storage: knowledgeStorageFromEnv(), logger: context.logger };
      if (message.type === 'knowledge.purge')
        return `purged ${await purgeKnowledgeBase(deps, message)} items`;
      return publishSync(deps, message);
    },
  });
