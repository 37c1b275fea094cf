import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { provideConfigSource } from '#shared/config/config-source.ts';
import { resetEnvCache } from '#shared/config/env.ts';
import { resetSecretsCache } from '#shared/config/secrets.ts';
import { resetDbCache } from '#shared/data/client.ts';
import { resetKnowledgeStorageCache } from '#shared/knowledge/knowledge-storage.ts';
import { MAIN_TABLE } from '#shared/data/table.ts';
import { type ConsoleSecurityOptions, consoleSecurityHeaders } from '#shared/http/console-security.ts';
import { ROUTES } from '#shared/http/route-table.ts';
import { resetKeyringCache } from '#shared/people/signing-keys.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { ALL_QUEUES } from '#shared/queues/definitions.ts';
import { createS3Client, resetS3Cache } from '#shared/exports/s3-client.ts';
import { createSqsClient, resetSqsCache } from '#shared/queues/sqs-client.ts';
import { type DynamoLocal, ensureTable, startDynamoLocal } from './dynamodb-local.ts';
import { createGateway } from './gateway.ts';
import { SCHEDULED_JOBS } from '#shared/jobs/scheduled-jobs.ts';
import { startJobScheduler } from './job-scheduler.ts';
import { type QueuePoller, startQueuePoller } from './queue-poller.ts';
import { ensureBucket } from './s3-local.ts';
import { ensureExportsBucket, ensureRecordingsBucket } from './s3-local.ts';
import { ensureQueues, type SqsLocal, startSqsLocal } from './sqs-local.ts';
import { startStorageCorsProxy } from './storage-cors-proxy.ts';

/** The built console and the options of its security headers. */
export interface LocalConsoleOptions {
  distDir: string;
  security: ConsoleSecurityOptions;
}

export interface ControlPlaneOptions {
  rootDir: string;
  logger: Logger;
  /** Persist DynamoDB and SQS state here; in memory when absent (tests). */
  dataDir?: string;
  apiPort?: number;
  /** Environment for the handlers on top of what the emulators provide (secrets, URLs). */
  env?: Record<string, string>;
  /** Shorter visibility timeouts make retry/DLQ tests fast; production values otherwise. */
  queueVisibilitySeconds?: number;
  startPollers?: boolean;
  /** Reuse running emulators (tests share one pair per run) instead of starting new ones. */
  emulators?: { dynamoEndpoint: string; sqsEndpoint: string };
  /** Prefix of table and queue names, so several platforms can share emulators. */
  namePrefix?: string;
  /** Told the pid of each child process started (DynamoDB Local), as soon as it runs. */
  onChildProcess?: (pid: number | undefined) => void;
  /** Runs every scheduled job this often instead of at its own rate (tests). */
  jobIntervalMs?: number;
  /**
   * The built console (`console/dist`) to serve at `/`, with the options of its security headers
   * (the local object storage's origin is added here, once it is known).
   */
  console?: LocalConsoleOptions;
}

export interface ControlPlane {
  apiUrl: string;
  /**
   * Everything a process needs to talk to this platform (endpoints, table, queue URLs, and the
   * settings and secrets given in `options.env`). Child processes get `{ ...process.env, ...env }`.
   * Kept current by `reconfigure`.
   */
  env: Record<string, string>;
  /**
   * Changes settings of the running in-process handlers (`undefined` removes a key): the next
   * request reads them, as a Lambda cold start would. `process.env` is never written.
   */
  reconfigure(overrides: Record<string, string | undefined>): void;
  stop(): Promise<void>;
}

/**
 * Hands the in-process handlers their configuration: the launching process's environment under the
 * platform's settings, as the one config source of this process (`process.env` itself is left
 * alone), and drops every cache built from the previous one.
 */
export function provideHandlerConfig(
  values: Record<string, string>,
  removed: ReadonlySet<string> = new Set(),
): void {
  const source: Record<string, string | undefined> = { ...process.env, ...values };
  // A removed key stays removed even where the launching process's environment has it.
  for (const key of removed) delete source[key];
  provideConfigSource(source);
  resetEnvCache();
  resetSecretsCache();
  resetDbCache();
  resetSqsCache();
  resetKnowledgeStorageCache();
  resetKeyringCache();
  resetS3Cache();
}

/**
 * The control plane on one machine: DynamoDB Local, the SQS server, tables and queues from the
 * shared definitions, the HTTP API gateway and the queue pollers, all with the deployed handlers.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    let dynamo: Pick<DynamoLocal, 'endpoint'>;
    let sqsServer: Pick<SqsLocal, 'endpoint'>;
    if (options.emulators) {
      dynamo = { endpoint: options.emulators.dynamoEndpoint };
      sqsServer = { endpoint: options.emulators.sqsEndpoint };
    } else {
      const startedDynamo = await startDynamoLocal({
        dataDir: options.dataDir && join(options.dataDir, 'dynamodb'),
      });
      options.onChildProcess?.(startedDynamo.pid);
      stops.push(startedDynamo.stop);
      const startedSqs = await startSqsLocal({ dataDir: options.dataDir && join(options.dataDir, 'sqs') });
      stops.push(startedSqs.stop);
      dynamo = startedDynamo;
      sqsServer = startedSqs;
    }

    const prefix = options.namePrefix ?? 'ai-caller-local';
    const tableName = `${prefix}-main`;
    await ensureTable(dynamo.endpoint, MAIN_TABLE, tableName);
    const sqs = createSqsClient({ endpoint: sqsServer.endpoint });
    stops.push(async () => sqs.destroy());
    const defs = options.queueVisibilitySeconds
      ? ALL_QUEUES.map((q) => ({ ...q, visibilityTimeoutSeconds: options.queueVisibilitySeconds as number }))
      : ALL_QUEUES;
    const queueUrls = await ensureQueues(sqs, defs, prefix);
    // fauxqs serves the S3 API on the same port as SQS.
    const knowledgeBucket = `${prefix}-knowledge`;
    await ensureBucket(sqsServer.endpoint, knowledgeBucket);
    const exportsBucket = `${prefix}-exports`.toLowerCase();
    const s3 = createS3Client({ endpoint: sqsServer.endpoint });
    stops.push(async () => s3.destroy());
    await ensureExportsBucket(s3, exportsBucket);
    const recordingsBucket = `${prefix}-recordings`.toLowerCase();
    await ensureRecordingsBucket(s3, recordingsBucket);

    // With the console, object storage is reached through a CORS layer (browsers PUT CSV imports).
    let storageEndpoint = sqsServer.endpoint;
    if (options.console) {
      const proxy = await startStorageCorsProxy(sqsServer.endpoint);
      stops.push(proxy.stop);
      storageEndpoint = proxy.endpoint;
    }
    const env: Record<string, string> = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      STAGE: 'local',
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      SQS_ENDPOINT: sqsServer.endpoint,
      S3_ENDPOINT: storageEndpoint,
      KNOWLEDGE_BUCKET: knowledgeBucket,
      EXPORTS_BUCKET: exportsBucket,
      RECORDINGS_BUCKET: recordingsBucket,
      ...queueUrls,
      ...options.env,
    };

    const gateway: Server = createGateway({
      routes: ROUTES,
      rootDir: options.rootDir,
      logger: options.logger,
      console: options.console && {
        distDir: options.console.distDir,
        headers: consoleSecurityHeaders({
          ...options.console.security,
          storageOrigin: new URL(storageEndpoint).origin,
        }),
      },
    });
    await new Promise<void>((resolve, reject) => {
      gateway.once('error', reject);
      gateway.listen(options.apiPort ?? 0, '127.0.0.1', () => resolve());
    });
    stops.push(
      () =>
        new Promise((resolve) => {
          gateway.closeAllConnections();
          gateway.close(() => resolve());
        }),
    );
    const apiUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    env.API_URL = apiUrl;
    env.PUBLIC_API_URL = options.env?.PUBLIC_API_URL ?? apiUrl;
    provideHandlerConfig(env);
    const removed = new Set<string>();
    const reconfigure = (overrides: Record<string, string | undefined>) => {
      for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
          delete env[key];
          removed.add(key);
        } else {
          env[key] = value;
          removed.delete(key);
        }
      }
      provideHandlerConfig(env, removed);
    };

    if (options.startPollers !== false) {
      const pollers: QueuePoller[] = [];
      for (const def of defs) {
        if (!def.consumer) continue;
        if (!existsSync(join(options.rootDir, def.consumer.handler))) {
          options.logger.warn('consumer handler missing; queue not polled', {
            queue: def.id,
            handler: def.consumer.handler,
          });
          continue;
        }
        pollers.push(
          startQueuePoller({
            sqs,
            queueUrl: queueUrls[def.urlEnv] as string,
            definition: def,
            rootDir: options.rootDir,
            logger: options.logger,
          }),
        );
      }
      stops.push(async () => {
        await Promise.all(pollers.map((p) => p.stop()));
      });
      // Scheduled jobs are background work like the pollers: on with them.
      const jobs = startJobScheduler({
        jobs: SCHEDULED_JOBS,
        rootDir: options.rootDir,
        logger: options.logger,
        intervalMs: options.jobIntervalMs,
      });
      stops.push(() => jobs.stop());
    }
    return { apiUrl, env, reconfigure, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
