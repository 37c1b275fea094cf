import type { SQSEvent } from 'aws-lambda';
import { env } from '#shared/config/env.ts';
import { secrets } from '#shared/config/secrets.ts';
import { getAgent } from '#shared/data/agents.ts';
import { getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { getTenant } from '#shared/data/tenants.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { OutboundTargetRefusedError, outboundRequest } from '#shared/net/outbound-request.ts';
import { type OutboundPolicy, refusedUrl } from '#shared/net/outbound-target.ts';
import { type WebhookEvent, WebhookEventSchema } from '#shared/queues/contracts.ts';
import { QUEUES } from '#shared/queues/definitions.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { recordAttempt, wasDelivered } from '#shared/webhooks/delivery-store.ts';
import { exportWebhookPayload, webhookPayload } from '#shared/webhooks/payload.ts';
import { deliveryOutcome, retryDelaySeconds } from '#shared/webhooks/retry-schedule.ts';
import { signingSecrets } from '#shared/webhooks/secret-store.ts';
import { webhookHeaders } from '#shared/webhooks/signing.ts';
import { type MessageContext, type Outcome, processBatch } from './batch/process-batch.ts';

const logger = createLogger({ context: { service: 'deliver-webhook' } });

/**
 * POSTs the signed payload under the outbound-target policy; any answer other than 2xx (or no
 * answer in time) is a failure. A target refused after DNS is reported as `blocked`.
 */
async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  policy: OutboundPolicy,
) {
  const started = Date.now();
  try {
    const response = await outboundRequest(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'ai-caller-webhooks/1', ...headers },
        body,
        timeoutMs,
        // A redirect is not a delivery: following it would send the payload somewhere unconfigured.
        maxRedirects: 0,
        maxResponseBytes: 1024,
      },
      policy,
    );
    return { httpStatus: response.status, durationMs: Date.now() - started };
  } catch (error) {
    if (error instanceof OutboundTargetRefusedError) return { blocked: error.reason, durationMs: 0 };
    const name = (error as Error)?.name;
    const reason = name === 'TimeoutError' ? `no response within ${timeoutMs} ms` : 'connection failed';
    return { error: reason, durationMs: Date.now() - started };
  }
}

async function deliverOne(event: WebhookEvent, { attempt, logger: log }: MessageContext): Promise<Outcome> {
  const db = dbFromEnv();
  const tenant = await getTenant(db, event.tenantId);
  if (!tenant) return { kind: 'done', note: 'tenant gone' };
  const [agent, call] =
    event.type === 'export.completed'
      ? [undefined, undefined]
      : await Promise.all([
          getAgent(db, event.tenantId, event.agentId),
          getCall(db, event.tenantId, event.callId),
        ]);
  const callId = event.type === 'export.completed' ? undefined : event.callId;
  const url = agent?.webhookUrl ?? tenant.webhookUrl;
  if (!url) return { kind: 'done', note: 'no webhook url' };
  if (await wasDelivered(db, event.eventId)) return { kind: 'done', note: 'already delivered' };

  const config = env();
  const now = new Date();
  const policy = config.outboundPolicy;
  const tenantId = tenant.id;
  const recordBlocked = async (blocked: string): Promise<Outcome> => {
    await recordAttempt(db, {
      tenantId,
      eventId: event.eventId,
      eventType: event.type,
      callId,
      url,
      attempt,
      status: 'blocked',
      error: blocked,
      durationMs: 0,
      attemptedAt: now.toISOString(),
    });
    log.warn('webhook target refused', { reason: blocked });
    return { kind: 'done', note: `target refused: ${blocked}` };
  };
  const refused = refusedUrl(url, policy);
  if (refused) return recordBlocked(refused);
  const signingKey = await secrets().require('INTERNAL_SIGNING_KEY');
  const body = JSON.stringify(
    event.type === 'export.completed' ? exportWebhookPayload(event) : webhookPayload(event, call),
  );
  // webhook-id is the event id on every attempt, so receivers can deduplicate retries.
  const headers = webhookHeaders(
    await signingSecrets(db, tenant.id, signingKey, now),
    event.eventId,
    Math.floor(now.getTime() / 1000),
    body,
  );
  const result = await post(url, headers, body, config.WEBHOOK_TIMEOUT_MS, policy);
  if (result.blocked) return recordBlocked(result.blocked);

  const status = result.httpStatus === undefined ? 'retry' : deliveryOutcome(result.httpStatus);
  const lastAttempt = attempt >= QUEUES.webhooks.maxReceiveCount;
  const delay = retryDelaySeconds(attempt, config.WEBHOOK_RETRY_SCHEDULE_SECONDS);
  await recordAttempt(db, {
    tenantId: tenant.id,
    eventId: event.eventId,
    eventType: event.type,
    callId,
    url,
    attempt,
    status: status === 'retry' ? 'failed' : status,
    httpStatus: result.httpStatus,
    error: result.error,
    durationMs: result.durationMs,
    attemptedAt: now.toISOString(),
    nextAttemptAt:
      status === 'retry' && !lastAttempt ? new Date(now.getTime() + delay * 1000).toISOString() : undefined,
  });
  log.info('webhook attempt', {
    httpStatus: result.httpStatus,
    outcome: status,
    durationMs: result.durationMs,
  });
  if (status === 'delivered') return { kind: 'done' };
  if (status === 'gone') return { kind: 'done', note: 'receiver answered 410 Gone' };
  if (lastAttempt) return { kind: 'dead', reason: 'webhook_retries_exhausted' };
  return { kind: 'retry', reason: result.error ?? `HTTP ${result.httpStatus}`, delaySeconds: delay };
}

/** Customer webhooks consumer (Lambda): signed delivery with backoff for about 24 h, then the DLQ. */
export const handler = async (event: SQSEvent) =>
  processBatch(event, {
    queueId: 'webhooks',
    queueUrl: queueUrlsFromEnv().webhooks,
    sqs: sqsFromEnv(),
    logger,
    handle: deliverOne,
    schema: WebhookEventSchema,
    retryDelaySeconds: (attempt) => retryDelaySeconds(attempt, env().WEBHOOK_RETRY_SCHEDULE_SECONDS),
  });
