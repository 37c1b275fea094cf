import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Db } from '../data/client.ts';
import { transitionCall } from '../data/calls.ts';
import type { Logger } from '../logging/logger.ts';
import { publishCallEventDurably } from '../queues/durable-publish.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import type { CallStatus } from './call-status.ts';
import type { Call, EndReason } from './call-types.ts';

export interface EndUnconnectedCallDeps {
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  logger: Logger;
  /** Bound on the publish before the event goes to the outbox (DEFAULT_PUBLISH_TIMEOUT_MS). */
  publishTimeoutMs?: number;
}

/**
 * Ends a call no one talked on (never dialed, busy, unanswered, canceled before it connected):
 * zero duration, the terminal status frees the concurrency slot, and `call.ended` is published
 * only by the write that changed the status, so racing enders never publish twice. The publish
 * is bounded and falls back to the outbox; if even that fails it is logged, not thrown: the
 * status is stored and the call must not be retried into a second change. A conflict (already ended another way) propagates for the caller to judge.
 */
export async function endUnconnectedCall(
  deps: EndUnconnectedCallDeps,
  call: Pick<Call, 'tenantId' | 'id' | 'agentId'>,
  status: Extract<CallStatus, 'busy' | 'no_answer' | 'failed' | 'canceled' | 'completed'>,
  endReason: EndReason,
): Promise<{ call: Call; changed: boolean }> {
  const result = await transitionCall(deps.db, call.tenantId, call.id, status, {
    endedAt: new Date().toISOString(),
    endReason,
    durationSeconds: 0,
  });
  if (result.changed) {
    await publishCallEventDurably(deps, {
      type: 'call.ended',
      tenantId: call.tenantId,
      callId: call.id,
      agentId: call.agentId,
      status,
      endReason,
      durationSeconds: 0,
    }).catch((err) => deps.logger.error('call.ended publish failed', { callId: call.id, status, err }));
  }
  return result;
}
