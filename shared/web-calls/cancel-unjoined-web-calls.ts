import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Call } from '../calls/call-types.ts';
import { listCalls } from '../data/call-list.ts';
import { transitionCall } from '../data/calls.ts';
import type { Db } from '../data/client.ts';
import { ConflictError } from '../errors/app-error.ts';
import { publishCallEvent, type QueueUrls } from '../queues/publisher.ts';

/**
 * Grace after a token's expiry before its call counts as not joined: a browser that verified the
 * token just before it expired is still allowed to finish connecting.
 */
export const NOT_JOINED_GRACE_MS = 60_000;

/** Calls looked at per sweep; a sweep runs before every new web call, so backlogs drain quickly. */
const SWEEP_LIMIT = 50;

/** True when a queued web call's token has expired (plus grace) without a browser connecting. */
export function isUnjoinedWebCall(call: Call, nowMs: number): boolean {
  if (call.provider !== 'web' || call.status !== 'queued') return false;
  const expiresAt = Date.parse(String(call.media?.tokenExpiresAt ?? ''));
  return Number.isFinite(expiresAt) && expiresAt + NOT_JOINED_GRACE_MS <= nowMs;
}

/**
 * Cancels the tenant's web calls whose browser never connected, releasing their concurrency
 * slots. Returns the calls this sweep ended (the caller publishes `call.ended` for them); a call
 * another sweep or a connecting browser moved first is skipped.
 */
export async function cancelUnjoinedWebCalls(
  db: Db,
  tenantId: string,
  options: { signingKey: string; now?: Date },
): Promise<Call[]> {
  const now = options.now ?? new Date();
  const page = await listCalls(
    db,
    tenantId,
    { status: 'queued', until: new Date(now.getTime() - NOT_JOINED_GRACE_MS) },
    { limit: SWEEP_LIMIT, signingKey: options.signingKey },
  );
  const ended: Call[] = [];
  for (const call of page.items) {
    if (!isUnjoinedWebCall(call, now.getTime())) continue;
    try {
      const result = await transitionCall(
        db,
        tenantId,
        call.id,
        'canceled',
        { endedAt: now.toISOString(), endReason: 'not_joined', durationSeconds: 0 },
        { now },
      );
      if (result.changed) ended.push(result.call);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return ended;
}

/** Publishes `call.ended` for calls a sweep canceled, like any other call that ends. */
export async function publishUnjoinedEnded(sqs: SQSClient, urls: QueueUrls, calls: Call[]): Promise<void> {
  for (const call of calls) {
    await publishCallEvent(sqs, urls, {
      type: 'call.ended',
      tenantId: call.tenantId,
      callId: call.id,
      agentId: call.agentId,
      status: call.status,
      endReason: call.endReason,
      durationSeconds: 0,
    });
  }
}
