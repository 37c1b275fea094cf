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
import type { HandlerAccess } from '../handler-access.ts';

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

/**
 * A handler's function with exactly the bindings its code needs (see `handler-access.ts`):
 * the table, the secret, the queues it publishes to or probes.
 */
export function createHandlerFunction(
  scope: Construct,
  id: string,
  settings: HandlerFunctionSettings,
  access: HandlerAccess,
  options: { description: string; timeout?: Duration; memorySize?: number; reservedConcurrency?: number },
): PlatformFunction {
  const fn = new PlatformFunction(scope, id, {
    rootDir: settings.rootDir,
    entry: access.entry,
    environment: {
      ...settings.environment,
      ...logLevelOverride(settings.functionLogLevels, access.entry),
    },
    logRetentionDays: settings.logRetentionDays,
    retainLogs: settings.retainLogs,
    lanceDb: access.lanceDb,
    ...options,
  });
  const { table, queues, secret, knowledgeBucket } = settings.resources;
  if (access.table) bindTable(fn, table);
  if (access.knowledgeBucket) bindKnowledgeBucket(fn, knowledgeBucket, 'readWrite');
  if (access.secrets) bindSecret(fn, secret);
  if (access.sessionKeys && settings.resources.sessionKeysSecret)
    bindSessionKeys(fn, settings.resources.sessionKeysSecret);
  if (access.sendsEmail && settings.emailFrom) {
    const stack = Stack.of(scope);
    bindEmailSender(fn, settings.emailFrom, `arn:${stack.partition}:ses:${stack.region}:${stack.account}:`);
  }
  if (access.exportsBucket && settings.resources.exportsBucket)
    bindExportsBucket(fn, settings.resources.exportsBucket);
  if (access.recordingsBucket !== 'none' && settings.resources.recordingsBucket)
    bindRecordingsBucket(fn, settings.resources.recordingsBucket, access.recordingsBucket);
  for (const queueId of access.sendQueues) bindQueue(fn, QUEUES[queueId], queues[queueId], 'send');
  for (const queueId of access.probeQueues) {
    if (!access.sendQueues.includes(queueId)) bindQueue(fn, QUEUES[queueId], queues[queueId], 'probe');
  }
  return fn;
}

/** `GET /v1/calls/{id}/end` → `GetV1CallsIdEnd`: a stable construct id per route. */
export function routeConstructId(method: string, path: string): string {
  const words = [method, ...path.split(/[^A-Za-z0-9]+/)].filter(Boolean);
  return words.map((word) => word[0]?.toUpperCase() + word.slice(1).toLowerCase()).join('');
}
