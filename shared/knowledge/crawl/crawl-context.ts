import type { PageFetch } from '../../net/pinned-fetch.ts';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Db } from '../../data/client.ts';
import type { QueueUrls } from '../../queues/publisher.ts';
import type { Embedder } from '../index/embeddings.ts';
import type { KnowledgeBase } from '../knowledge-base-store.ts';
import type { KnowledgeSource } from '../knowledge-schemas.ts';
import type { KnowledgeStorage } from '../knowledge-storage.ts';
import type { PageRecord } from '../sync-frontier.ts';
import type { RetryPolicy } from './backoff.ts';

/** What the crawler needs from the outside world; plain values, so tests point it anywhere. */
export interface CrawlDeps {
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  storage: KnowledgeStorage;
  embed: Embedder;
  allowPrivate: boolean;
  fetchTimeoutMs: number;
  maxPageBytes: number;
  crawlDelayMs: number;
  /** Most fetches at once against one host, across every crawler instance. */
  hostConcurrency: number;
  retry: RetryPolicy;
  fetch?: PageFetch;
}

/** One frontier entry being processed. */
export interface CrawlEntry {
  kb: KnowledgeBase;
  syncId: string;
  page: PageRecord;
  source: KnowledgeSource;
  /** SQS delivered this message before: children may have been added without their messages. */
  redelivered: boolean;
}

/** How processing an entry ended: finished with a counter, or to be tried again later. */
export type EntryResult =
  | {
      kind: 'complete';
      outcome: 'fetched' | 'unchanged' | 'failed' | 'skipped' | 'done';
      chunks?: number;
      embedded?: number;
      code?: string;
      message?: string;
    }
  | { kind: 'retry'; code: string; message: string; retryAfterMs?: number }
  /** Not an attempt (a politeness wait): send again after the delay. */
  | { kind: 'later'; delayMs: number };

export const skipped = (code: string, message: string): EntryResult => ({
  kind: 'complete',
  outcome: 'skipped',
  code,
  message,
});
export const failed = (code: string, message: string): EntryResult => ({
  kind: 'complete',
  outcome: 'failed',
  code,
  message,
});
