import type { HandlerGrants } from '../grants/handler-grants.ts';

/**
 * SQS queues, declared once for CDK and the local platform. Each has a dead-letter queue that
 * receives a message after `maxReceiveCount` failed deliveries.
 */
export interface QueueDefinition {
  /** Logical id: CDK construct id, local queue name suffix. */
  id: string;
  /** Environment variable that carries the queue URL to producers and consumers. */
  urlEnv: string;
  /** Handler module consuming the queue (a Lambda in AWS, a poller locally); none for the media service's. */
  consumer?: {
    handler: string;
    /** What the consumer's function may touch (its own queue's receive is implied). */
    grants: HandlerGrants;
    batchSize: number;
    maxBatchingWindowSeconds: number;
    maxConcurrency?: number;
    /** Lambda memory (default: the platform function's). */
    memorySizeMb?: number;
  };
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  /** Lambda timeout for the consumer; visibility is kept at ≥ 6× this, as AWS advises. */
  consumerTimeoutSeconds: number;
}

/**
 * The queues' ids, listed apart from QUEUES because consumer grants name queues (`sendsTo`), so
 * the id type cannot be derived from the table that contains them.
 */
export const QUEUE_IDS = [
  'summaries',
  'usage',
  'webhooks',
  'exports',
  'backfills',
  'mediaCommands',
  'knowledgeCrawl',
  'knowledgeIndex',
  'campaignDials',
  'campaignOutcomes',
  'contactImports',
] as const;
export type QueueId = (typeof QUEUE_IDS)[number];

export const QUEUES = {
  summaries: {
    id: 'Summaries',
    urlEnv: 'QUEUE_SUMMARIES_URL',
    consumer: {
      handler: 'functions/consumers/summarize-call.ts',
      grants: {
        table: 'write',
        secrets: true,
        sendsTo: ['summaries', 'usage', 'webhooks', 'campaignOutcomes'],
        deadLetters: true,
      },
      batchSize: 5,
      maxBatchingWindowSeconds: 1,
      maxConcurrency: 5,
    },
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 5,
    consumerTimeoutSeconds: 60,
  },
  usage: {
    id: 'Usage',
    urlEnv: 'QUEUE_USAGE_URL',
    consumer: {
      handler: 'functions/consumers/meter-usage.ts',
      grants: { table: 'write', secrets: true, deadLetters: true },
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      maxConcurrency: 5,
    },
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    consumerTimeoutSeconds: 30,
  },
  webhooks: {
    id: 'CustomerWebhooks',
    urlEnv: 'QUEUE_WEBHOOKS_URL',
    consumer: {
      handler: 'functions/consumers/deliver-webhook.ts',
      grants: { table: 'write', secrets: true, deadLetters: true },
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      maxConcurrency: 10,
    },
    visibilityTimeoutSeconds: 180,
    // Retries with backoff for up to 24 h are driven by ChangeMessageVisibility, not receive count alone.
    maxReceiveCount: 20,
    consumerTimeoutSeconds: 30,
  },
  exports: {
    id: 'CallExports',
    urlEnv: 'QUEUE_EXPORTS_URL',
    consumer: {
      handler: 'functions/consumers/run-export.ts',
      grants: { table: 'write', sendsTo: ['webhooks'], deadLetters: true, exportsBucket: 'readWrite' },
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 2,
    },
    // Six times the Lambda timeout: a long export holds its message while it streams.
    visibilityTimeoutSeconds: 5400,
    maxReceiveCount: 3,
    consumerTimeoutSeconds: 900,
  },
  backfills: {
    id: 'AnalyticsBackfills',
    urlEnv: 'QUEUE_BACKFILLS_URL',
    consumer: {
      handler: 'functions/consumers/run-analytics-backfill.ts',
      grants: { table: 'write', sendsTo: ['backfills'], deadLetters: true },
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 2,
    },
    visibilityTimeoutSeconds: 5400,
    maxReceiveCount: 5,
    consumerTimeoutSeconds: 900,
  },
  mediaCommands: {
    id: 'MediaCommands',
    urlEnv: 'QUEUE_MEDIA_COMMANDS_URL',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    consumerTimeoutSeconds: 10,
  },
  /** One message per page (or uploaded file, text, sitemap) of a knowledge-base sync. */
  knowledgeCrawl: {
    id: 'KnowledgeCrawl',
    urlEnv: 'QUEUE_KNOWLEDGE_CRAWL_URL',
    consumer: {
      handler: 'functions/consumers/crawl-knowledge-page.ts',
      grants: {
        table: 'write',
        secrets: true,
        sendsTo: ['knowledgeCrawl', 'knowledgeIndex'],
        deadLetters: true,
        knowledgeBucket: 'readWrite',
      },
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      maxConcurrency: 10,
      memorySizeMb: 1024,
    },
    visibilityTimeoutSeconds: 600,
    maxReceiveCount: 5,
    consumerTimeoutSeconds: 90,
  },
  /** Publishing a sync's index version, and purging a deleted knowledge base. */
  knowledgeIndex: {
    id: 'KnowledgeIndex',
    urlEnv: 'QUEUE_KNOWLEDGE_INDEX_URL',
    consumer: {
      handler: 'functions/consumers/publish-knowledge-index.ts',
      grants: {
        table: 'write',
        deadLetters: true,
        knowledgeBucket: 'readWrite',
        lanceDb: true,
        // The final pass of a purge is a delayed message to this same queue.
        sendsTo: ['knowledgeIndex'],
      },
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 5,
      // LanceDB builds the version in memory (vectors, full-text index) before writing it.
      memorySizeMb: 3008,
    },
    visibilityTimeoutSeconds: 5400,
    maxReceiveCount: 3,
    consumerTimeoutSeconds: 900,
  },
  /** One message per claimed campaign contact: place its call (functions/consumers/dial-campaign-contact.ts). */
  campaignDials: {
    id: 'CampaignDials',
    urlEnv: 'QUEUE_CAMPAIGN_DIALS_URL',
    consumer: {
      handler: 'functions/consumers/dial-campaign-contact.ts',
      grants: {
        table: 'write',
        secrets: true,
        sendsTo: ['summaries', 'usage', 'webhooks', 'mediaCommands', 'campaignOutcomes'],
        deadLetters: true,
      },
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 20,
    },
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    consumerTimeoutSeconds: 30,
  },
  /** `call.started` / `call.ended` of campaign calls: the contact's state and retries. */
  campaignOutcomes: {
    id: 'CampaignOutcomes',
    urlEnv: 'QUEUE_CAMPAIGN_OUTCOMES_URL',
    consumer: {
      handler: 'functions/consumers/record-campaign-outcome.ts',
      grants: { table: 'write', deadLetters: true },
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      maxConcurrency: 10,
    },
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 8,
    consumerTimeoutSeconds: 30,
  },
  /** CSV imports of campaign contacts and do-not-call numbers: one message per job. */
  contactImports: {
    id: 'ContactImports',
    urlEnv: 'QUEUE_CONTACT_IMPORTS_URL',
    consumer: {
      handler: 'functions/consumers/run-contact-import.ts',
      grants: { table: 'write', deadLetters: true, exportsBucket: 'readWrite' },
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 2,
      memorySizeMb: 1024,
    },
    visibilityTimeoutSeconds: 5400,
    maxReceiveCount: 3,
    consumerTimeoutSeconds: 900,
  },
} as const satisfies Record<QueueId, QueueDefinition>;
export const ALL_QUEUES: readonly QueueDefinition[] = Object.values(QUEUES);
