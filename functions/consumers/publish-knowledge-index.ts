import type { SQSEvent } from 'aws-lambda';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { publishSync, purgeKnowledgeBase } from '#shared/knowledge/index/publish-index.ts';
import { IndexMessageSchema, sendIndexMessage } from '#shared/knowledge/knowledge-messages.ts';
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
      if (message.type === 'knowledge.purge') {
        const purged = await purgeKnowledgeBase(deps, message);
        if (message.final) return `purged ${purged} items (final pass)`;
        // A crawl or publish that was mid-way at the delete may still store items after this
        // pass; one more runs once none of them can be running.
        const { tenantId, kbId } = message;
        await sendIndexMessage(
          sqsFromEnv(),
          queueUrlsFromEnv(),
          { type: 'knowledge.purge', tenantId, kbId, final: true },
          env().KNOWLEDGE_PURGE_RECHECK_SECONDS,
        );
        return `purged ${purged} items; final pass scheduled`;
      }
      return publishSync(deps, message);
    },
  });
