import type { SQSClient } from '@aws-sdk/client-sqs';
import { isTerminal } from '../calls/call-status.ts';
import type { Call } from '../calls/call-types.ts';
import type { Db } from '../data/client.ts';
import { findCallByProviderId, patchCall, transitionCall } from '../data/calls.ts';
import { AppError, ValidationError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { publishCallEventDurably } from '../queues/durable-publish.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import { parseStatusCallback, type TwilioStatusUpdate } from './status-mapping.ts';

export type StatusOutcome =
  | 'applied'
  /** Same status again, or an older `SequenceNumber` than one already applied. */
  | 'stale'
  /** A status change the state machine forbids (e.g. `ringing` after the media service answered). */
  | 'out_of_order'
  /** `initiated`/`queued` or a status value this platform does not know. */
  | 'ignored'
  /** No call has this CallSid (e.g. an inbound call that was refused before a record existed). */
  | 'unknown_call';

export interface StatusResult {
  outcome: StatusOutcome;
  callId?: string;
  /** `call.ended` was published by this callback. */
  endedEventPublished: boolean;
}

export interface ApplyStatusDeps {
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  logger: Logger;
  now?: () => Date;
}

function patchFor(update: TwilioStatusUpdate) {
  const at = update.at.toISOString();
  if (update.status === 'in_progress') return { answeredAt: at };
  if (isTerminal(update.status)) {
    return { endedAt: at, durationSeconds: update.durationSeconds, endReason: update.endReason };
  }
  return {};
}

/**
 * Facts a stale callback can still add without changing the status: Twilio's billed duration when
 * the media service ended the call first, or the answer time when `in-progress` arrived late.
 */
async function backfill(deps: ApplyStatusDeps, call: Call, update: TwilioStatusUpdate): Promise<void> {
  const patch: { durationSeconds?: number; answeredAt?: string } = {};
  if (
    call.status === update.status &&
    update.durationSeconds !== undefined &&
    call.durationSeconds === undefined
  ) {
    patch.durationSeconds = update.durationSeconds;
  }
  if (update.status === 'in_progress' && !call.answeredAt) patch.answeredAt = update.at.toISOString();
  if (Object.keys(patch).length > 0) await patchCall(deps.db, call.tenantId, call.id, patch);
}

/**
 * Applies one Twilio status callback (signature already verified). Callbacks may repeat and
 * arrive out of order: they are applied in `SequenceNumber` order through the call state machine,
 * and everything that cannot apply is acknowledged and ignored. The terminal status publishes
 * `call.ended` only from the write that actually ended the call, so it is emitted once even when
 * the media service ends the call concurrently.
 */
export async function applyTwilioStatusCallback(
  deps: ApplyStatusDeps,
  params: URLSearchParams,
): Promise<StatusResult> {
  const now = deps.now?.() ?? new Date();
  const parsed = parseStatusCallback(params, now);
  if (parsed.kind === 'invalid') {
    throw new ValidationError('The status callback is malformed.', { details: [{ message: parsed.reason }] });
  }
  if (parsed.kind === 'ignored') return { outcome: 'ignored', endedEventPublished: false };
  const { update } = parsed;
  const call = await findCallByProviderId(deps.db, 'twilio', update.callSid);
  if (!call) return { outcome: 'unknown_call', endedEventPublished: false };
  const logger = deps.logger.child({ callId: call.id, tenantId: call.tenantId });

  let result: { call: Call; changed: boolean };
  try {
    result = await transitionCall(deps.db, call.tenantId, call.id, update.status, patchFor(update), {
      now,
      providerSequence: update.sequence,
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict') {
      logger.info('twilio status ignored', { twilioStatus: update.twilioStatus, sequence: update.sequence });
      return { outcome: 'out_of_order', callId: call.id, endedEventPublished: false };
    }
    throw error;
  }
  if (!result.changed) {
    await backfill(deps, result.call, update);
    return { outcome: 'stale', callId: call.id, endedEventPublished: false };
  }
  logger.info('twilio status applied', { status: update.status, sequence: update.sequence });
  if (!isTerminal(update.status)) return { outcome: 'applied', callId: call.id, endedEventPublished: false };

  const ended = result.call;
  // Twilio does not retry status callbacks: the event must not depend on the queue answering now.
  await publishCallEventDurably(deps, {
    type: 'call.ended',
    tenantId: ended.tenantId,
    callId: ended.id,
    agentId: ended.agentId,
    status: ended.status,
    endReason: ended.endReason,
    durationSeconds: ended.durationSeconds,
  });
  return { outcome: 'applied', callId: call.id, endedEventPublished: true };
}
