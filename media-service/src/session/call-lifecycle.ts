import type { Call, CallTelemetry, EndReason } from '#shared/calls/call-types.ts';
import { patchCall, transitionCall } from '#shared/data/calls.ts';
import { AppError } from '#shared/errors/app-error.ts';
import { publishCallEventDurably } from '#shared/queues/durable-publish.ts';
import type { CallEventInput } from '#shared/queues/publisher.ts';
import type { SessionDeps } from './session-deps.ts';

type LifecycleDeps = Pick<SessionDeps, 'db' | 'sqs' | 'queueUrls' | 'logger'> &
  Partial<Pick<SessionDeps, 'env'>>;

/**
 * The status change that earns the right to publish happens once, so its event must not be
 * lost, and the call must not wait on the queue: a publish the queue does not take within
 * SQS_PUBLISH_TIMEOUT_MS is recorded in the outbox and re-sent by the sweeper (same event id).
 */
async function publishOnce(deps: LifecycleDeps, input: CallEventInput): Promise<void> {
  await publishCallEventDurably({ ...deps, publishTimeoutMs: deps.env?.SQS_PUBLISH_TIMEOUT_MS }, input);
}

/**
 * The caller leg is up and verified: the call becomes `in_progress` (a Twilio status callback may
 * have done that already when the callee answered) and `call.started` is published. The media
 * connection is admitted once per call (its token is single use), so this runs once per call and
 * the event is published once. Returns false when the call already ended (the caller hung up
 * before the stream connected), so the session closes at once.
 */
export async function markCallStarted(
  deps: LifecycleDeps,
  call: Call,
  media: Record<string, unknown>,
  answeredAt: Date,
): Promise<boolean> {
  const mergedMedia = { ...call.media, ...media };
  try {
    const { changed } = await transitionCall(deps.db, call.tenantId, call.id, 'in_progress', {
      answeredAt: answeredAt.toISOString(),
      media: mergedMedia,
    });
    if (!changed) await patchCall(deps.db, call.tenantId, call.id, { media: mergedMedia });
  } catch (error) {
    if (error instanceof AppError && (error.code === 'conflict' || error.code === 'not_found')) return false;
    throw error;
  }
  await publishOnce(deps, {
    type: 'call.started',
    tenantId: call.tenantId,
    callId: call.id,
    agentId: call.agentId,
    provider: call.provider,
    direction: call.direction,
  });
  return true;
}

/**
 * Completes the call. `call.ended` is published only when this write changed the status: a
 * Twilio status callback may complete the call first, and then it emits the event. Telemetry is
 * stored either way.
 */
export async function markCallEnded(
  deps: LifecycleDeps,
  call: Call,
  ended: {
    /** `failed` when the agent never came on the line (not billed); `completed` otherwise. */
    status: 'completed' | 'failed';
    endReason: EndReason;
    answeredAt: Date;
    endedAt: Date;
    telemetry: CallTelemetry;
  },
): Promise<void> {
  const durationSeconds = Math.max(
    0,
    Math.round((ended.endedAt.getTime() - ended.answeredAt.getTime()) / 1000),
  );
  let changed = false;
  try {
    const result = await transitionCall(deps.db, call.tenantId, call.id, ended.status, {
      endedAt: ended.endedAt.toISOString(),
      durationSeconds,
      endReason: ended.endReason,
      telemetry: ended.telemetry,
    });
    changed = result.changed;
    if (!changed) await patchCall(deps.db, call.tenantId, call.id, { telemetry: ended.telemetry });
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'conflict')) throw error;
    // Already ended another way (e.g. failed): keep its status, still keep the telemetry.
    await patchCall(deps.db, call.tenantId, call.id, { telemetry: ended.telemetry });
  }
  if (changed) {
    await publishOnce(deps, {
      type: 'call.ended',
      tenantId: call.tenantId,
      callId: call.id,
      agentId: call.agentId,
      status: ended.status,
      endReason: ended.endReason,
      durationSeconds,
    });
  }
}
