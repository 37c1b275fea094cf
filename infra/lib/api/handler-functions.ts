import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { QUEUES, type QueueId } from '#shared/queues/definitions.ts';
import { Stack } from 'aws-cdk-lib';
import {
  bindEmailSender,
  bindExportsBucket,
  bindKnowledgeBucket,
  bindQueue,
  bindRecordingsBucket,
  bindSecret,
  bindSessionKeys,
  bindTable,
  type TableLike,
} from '../constructs/bindings.ts';
import { PlatformFunction } from '../constructs/platform-function.ts';
import type { HandlerGrants } from '#shared/grants/handler-grants.ts';

/** The stateful resources handlers may be bound to (owned by the stateful stack). */
export interface PlatformResources {
  table: TableLike;
  queues: Record<QueueId, sqs.IQueue>;
  deadLetterQueues: Record<QueueId, sqs.IQueue>;
  secret: secretsmanager.ISecret;
  knowledgeBucket: s3.IBucket;
  /** The session signing keyring (its own secret, so it can be rotated on its own). */
  sessionKeysSecret?: secretsmanager.ISecret;
  /** Call exports (private, encrypted, expiring). */
  exportsBucket?: s3.IBucket;
  /** Call recordings (private, encrypted, expiring by retention tag). */
  recordingsBucket?: s3.IBucket;
}

export interface HandlerFunctionSettings {
  rootDir: string;
  resources: PlatformResources;
  /** Plain settings every handler receives (stage, log level, public URLs, CORS). */
  environment: Record<string, string>;
  /** Log level overrides by handler file name (`summarize-call`). */
  functionLogLevels?: Record<string, string>;
  logRetentionDays: number;
  retainLogs: boolean;
  /** EMAIL_FROM: handlers that send email get it and SES permission only when it is set. */
  emailFrom?: string;
}

function logLevelOverride(levels: Record<string, string> | undefined, entry: string): Record<string, string> {
  const name = entry.split('/').at(-1)?.replace(/\.ts$/, '') ?? '';
  const level = levels?.[name];
  return level ? { LOG_LEVEL: level } : {};
}

/** A handler file and what it declares it touches (its route, queue or job definition). */
export interface DeclaredHandler {
  /** Repository-relative entry file. */
  entry: string;
  grants: HandlerGrants;
}

/** Whether the handler file exists yet (a teammate's half-landed route is left out, not fatal). */
export function handlerExists(rootDir: string, entry: string): boolean {
  return existsSync(join(rootDir, entry));
}

/**
 * A handler's function with exactly the bindings it declares (`HandlerGrants`, checked against
 * its code by `handler-grants.test.ts`): the table, the secrets, the queues it sends to or probes,
 * the buckets and SES.
 */
export function createHandlerFunction(
  scope: Construct,
  id: string,
  settings: HandlerFunctionSettings,
  { entry, grants }: DeclaredHandler,
  options: { description: string; timeout?: Duration; memorySize?: number; reservedConcurrency?: number },
): PlatformFunction {
  const fn = new PlatformFunction(scope, id, {
    rootDir: settings.rootDir,
    entry,
    environment: {
      ...settings.environment,
      ...logLevelOverride(settings.functionLogLevels, entry),
    },
    logRetentionDays: settings.logRetentionDays,
    retainLogs: settings.retainLogs,
    lanceDb: grants.lanceDb === true,
    ...options,
  });
  const { table, queues, secret, knowledgeBucket, sessionKeysSecret, exportsBucket, recordingsBucket } =
    settings.resources;
  if (grants.table) bindTable(fn, table, grants.table);
  if (grants.knowledgeBucket) bindKnowledgeBucket(fn, knowledgeBucket, grants.knowledgeBucket);
  if (grants.secrets) bindSecret(fn, secret);
  if (grants.sessionKeys && sessionKeysSecret) bindSessionKeys(fn, sessionKeysSecret);
  if (grants.email && settings.emailFrom) {
    const stack = Stack.of(scope);
    bindEmailSender(fn, settings.emailFrom, `arn:${stack.partition}:ses:${stack.region}:${stack.account}:`);
  }
  if (grants.exportsBucket && exportsBucket) bindExportsBucket(fn, exportsBucket);
  if (grants.recordingsBucket && recordingsBucket)
    bindRecordingsBucket(fn, recordingsBucket, grants.recordingsBucket);
  const sendsTo = grants.sendsTo ?? [];
  for (const queueId of sendsTo) bindQueue(fn, QUEUES[queueId], queues[queueId], 'send');
  if (grants.probesQueues) {
    for (const queueId of Object.keys(QUEUES) as QueueId[]) {
      if (!sendsTo.includes(queueId)) bindQueue(fn, QUEUES[queueId], queues[queueId], 'probe');
    }
  }
  return fn;
}

/** `GET /v1/calls/{id}/end` → `GetV1CallsIdEnd`: a stable construct id per route. */
export function routeConstructId(method: string, path: string): string {
  const words = [method, ...path.split(/[^A-Za-z0-9]+/)].filter(Boolean);
  return words.map((word) => word[0]?.toUpperCase() + word.slice(1).toLowerCase()).join('');
}
