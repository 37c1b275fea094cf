import type { Call, EndReason } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { mediaCallTrace } from '#shared/observability/call-trace.ts';
import { runWithTrace } from '#shared/observability/trace-scope.ts';
import { callTelemetry, leaveOwnership, type Release, watchDetached } from '../resume/session-continuity.ts';
import { markCallEnded } from './call-lifecycle.ts';
import type { CallTransport } from './call-transport.ts';
import type { Guardrails } from './guardrails.ts';
import type { SessionDeps } from './session-deps.ts';
import type { SessionParts } from './session-wiring.ts';

export interface CloseOptions {
  /** False when the call record was already ended elsewhere (the caller hung up before the start). */
  storeEnd?: boolean;
  /** How the call's ownership is left: `ended` unless told otherwise. */
  release?: Release;
}

/**
 * How a session closes when its caller leg closed. Dropped without a hang-up while not ending,
 * with an ownership record: the provider may reconnect it to any task, which resumes it, so the
 * call is left `detached`. Hanging up or transferring makes the provider close the leg: the
 * ending's reason is kept. A dropped leg that cannot be resumed (no record) is a media failure.
 */
export function legClosedOutcome(
  legReason: EndReason,
  endingReason: EndReason | undefined,
  resumable: boolean,
): { reason: EndReason; release?: Release } {
  if (legReason === 'leg_lost' && endingReason === undefined && resumable) {
    return { reason: 'leg_lost', release: 'detached' };
  }
  return { reason: endingReason ?? (legReason === 'leg_lost' ? 'media_error' : legReason) };
}

/** What the close sequence needs of the session it closes. */
export interface ClosingSession {
  call: Call;
  deps: SessionDeps;
  parts: SessionParts;
  transport: CallTransport;
  logger: Logger;
  answeredAt: Date;
  startedAt: Date;
  guardrails: Guardrails | undefined;
  /** The model came up once: a model failure before that means the call failed (not billed). */
  agentOnLine: boolean;
  /** The session's state becomes `closed` (before the closing reports). */
  markClosed(): void;
}

/**
 * The one close sequence of a call session (run once, by `CallSession.close`): stops every timer,
 * the model socket and the playback wait; settles a consult leg; leaves the call's ownership as
 * `release` says before the caller leg closes (the provider's "stream ended" request must already
 * find the call's state); then stores everything and, for a call ended here, its end. A call that
 * continues elsewhere is not ended here, and a call this task lost stores nothing more.
 */
export async function runCloseSequence(
  session: ClosingSession,
  reason: EndReason,
  options: CloseOptions,
): Promise<void> {
  const hangUpStartedMs = Date.now();
  const { call, deps, parts, transport, logger } = session;
  const { timers, playback, link, agentTurns, telemetry, persist, taps, spoken, transfer } = parts;
  const release = options.release ?? 'ended';
  let storeEnd = (options.storeEnd ?? true) && release === 'ended';
  let ownershipKept = false;
  session.guardrails?.stop();
  spoken.stop();
  // A consult leg still ringing or briefing is hung up, and the attempt stored, before the end.
  const transferSettled = transfer?.callerLeft();
  timers.cancelAll();
  playback.stopWaiting();
  link.close();
  agentTurns.finishAll();
  telemetry.reconnects = link.reconnects;
  try {
    // A consult leg that fails to hang up must not keep the call from closing.
    await transferSettled?.catch((err: unknown) => logger.warn('consult leg not settled', { err }));
    // Before the leg closes: the provider's "stream ended" request must find the call's state.
    ownershipKept = await leaveOwnership(parts, release, String(reason));
    if (!ownershipKept) storeEnd = false;
  } finally {
    transport.close(reason);
  }
  try {
    await Promise.all([
      persist.flush(),
      taps.close(reason, { callOver: release === 'ended' && ownershipKept }),
    ]);
    if (release === 'detached') watchDetached(deps, parts, call, session.answeredAt);
    if (storeEnd) {
      // call.ended carries the call's trace on to the consumers (summary, usage, webhooks).
      await runWithTrace(mediaCallTrace(call), () =>
        markCallEnded(deps, call, {
          status: !session.agentOnLine && reason === 'model_error' ? 'failed' : 'completed',
          endReason: reason,
          answeredAt: session.answeredAt,
          endedAt: new Date(),
          telemetry: callTelemetry(parts),
        }),
      );
    }
  } catch (error) {
    logger.error('call end could not be stored', { err: error, reason });
  } finally {
    session.markClosed();
    telemetry.step({
      name: 'hang-up',
      startMs: hangUpStartedMs,
      endMs: Date.now(),
      annotations: { reason },
    });
    logger.info('call closed', { reason });
    deps.onCallClosed?.({
      call,
      reason,
      telemetry: callTelemetry(parts),
      spans: telemetry.spans(),
      startedAt: session.startedAt,
      endedAt: new Date(),
      continuesElsewhere: release !== 'ended',
    });
  }
}
