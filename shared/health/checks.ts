import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';

export interface CheckResult {
  status: 'ok' | 'down';
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: Record<string, CheckResult | Record<string, unknown>>;
}

const TIMEOUT_MS = 2_000;

/** Runs a check with a time limit; a thrown error or a timeout is `down`, with the error's name only. */
export async function runCheck(check: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const name = error instanceof Error ? (error.message === 'timeout' ? 'timeout' : error.name) : 'error';
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: name };
  } finally {
    clearTimeout(timer);
  }
}

/** A real read against the table (a key that never exists: cheap, and proves auth and reachability). */
export const checkDynamo = (db: Db) => () =>
  db.doc.send(new GetCommand({ TableName: db.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));

export const checkQueue = (sqs: SQSClient, queueUrl: string) => () =>
  sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );

export function overall(checks: Record<string, CheckResult>): 'ok' | 'degraded' {
  return Object.values(checks).every((c) => c.status === 'ok') ? 'ok' : 'degraded';
}
