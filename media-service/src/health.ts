import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Db } from '#shared/data/client.ts';
import { type CheckResult, checkDynamo, checkQueue, runCheck } from '#shared/health/checks.ts';

export interface MediaHealthSources {
  db: Db;
  sqs: SQSClient;
  /** A queue to probe (the media command queue), when configured. */
  queueUrl?: string;
  /** Extra checks contributed by transports (e.g. the ARI connection). */
  extraChecks?: Record<string, () => CheckResult | Promise<CheckResult>>;
  /** Admission state: live calls and whether the task is draining. */
  admission: () => { liveCalls: number; maxCalls: number; draining: boolean };
  /** Warm model sockets ready for the next calls (informational: calls still connect without). */
  models?: () => { warm: number; target: number };
}

/**
 * GET /health for the media service. 503 when a dependency is down or the task is draining, so a
 * load balancer stops sending new calls to it.
 */
export async function mediaHealth(sources: MediaHealthSources): Promise<{ status: number; body: unknown }> {
  const checks: Record<string, CheckResult> = {
    dynamodb: await runCheck(checkDynamo(sources.db)),
  };
  if (sources.queueUrl) checks.sqs = await runCheck(checkQueue(sources.sqs, sources.queueUrl));
  for (const [name, check] of Object.entries(sources.extraChecks ?? {})) checks[name] = await check();
  const admission = sources.admission();
  const healthy = Object.values(checks).every((c) => c.status === 'ok');
  const status = !healthy ? 'degraded' : admission.draining ? 'draining' : 'ok';
  const models = sources.models?.();
  return {
    status: status === 'ok' ? 200 : 503,
    body: { status, checks, calls: admission, ...(models ? { models } : {}) },
  };
}
