import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Call, CallTelemetry } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { SessionDeps } from '../session/session-deps.ts';
import type { SessionParts } from '../session/session-wiring.ts';
import { watchDetachedCall } from './detached-call.ts';
import type { ResumeState } from './resume-admission.ts';
import { interruptedToolText, resumeOpening, resumeTelemetry } from './resume-opening.ts';

type Parts = Pick<SessionParts, 'ownership' | 'recorder' | 'link' | 'telemetry' | 'persist'>;

/**
 * How a closing session leaves the call's ownership: `ended` (the platform ended the call; never
 * resumed), `detached` (the leg dropped; the provider may reconnect it), `handover` (let go on
 * purpose so another task takes it), or `lost` (another task already took it: write nothing).
 */
export type Release = 'ended' | 'detached' | 'handover' | 'lost';

/**
 * Leaves the call's ownership as `release` says, before the caller leg closes (the provider's
 * "stream ended" request must already find the call ended, or resumable with every turn stored).
 * Resolves false when this task had lost the call: it must not store the call's end.
 */
export async function leaveOwnership(parts: Parts, release: Release, reason: string): Promise<boolean> {
  if (release === 'lost') {
    parts.ownership.abandon();
    return false;
  }
  if (release === 'ended') return parts.ownership.release('ended', reason);
  await parts.persist.flush();
  await parts.ownership.release(release, reason);
  return false;
}

/** The first task to run a call records itself as its owner, with the call's absolute deadline. */
export function claimFirstStart(parts: Parts, call: Call, agent: Agent, startedAt: Date): Promise<void> {
  return parts.ownership.claim({
    callId: call.id,
    tenantId: call.tenantId,
    provider: call.provider,
    answeredAt: startedAt.toISOString(),
    maxDurationAtMs: startedAt.getTime() + agent.maxDurationSeconds * 1000,
  });
}

/**
 * Opens a resumed call on the fresh model session (its conversation was already replayed):
 * interrupted tools are noted in the transcript and told to the model, then the resume line.
 */
export function openResumed(parts: Parts, logger: Logger, resume: ResumeState): void {
  logger.info('call resumed on this task', { gapMs: resume.gapMs, resumes: resume.owner.resumes });
  for (const tool of resume.interruptedTools) {
    parts.recorder.record(`interrupted:${tool.callId}`, {
      role: 'tool',
      text: interruptedToolText(tool.name),
      startedAt: new Date().toISOString(),
    });
  }
  if (resume.interruptedTools.length) parts.ownership.toolsInFlight({});
  for (const event of resumeOpening(resume)) parts.link.send(event);
}

/** How long the agent may still talk: a resumed call keeps the deadline set when it was answered. */
export function remainingDurationMs(agent: Agent, resume: ResumeState | undefined): number {
  return resume ? Math.max(0, resume.owner.maxDurationAtMs - Date.now()) : agent.maxDurationSeconds * 1000;
}

/** The call's telemetry as stored: this task's figures plus the resumes across tasks. */
export function callTelemetry(parts: Parts): CallTelemetry {
  return { ...parts.telemetry.snapshot(), ...resumeTelemetry(parts.ownership.current) };
}

/** A detached call nobody resumes in time is ended by this task, so it does not stay "in progress". */
export function watchDetached(deps: SessionDeps, parts: Parts, call: Call, answeredAt: Date): void {
  const owner = parts.ownership.current;
  if (!owner) return;
  watchDetachedCall(deps, {
    call,
    owner,
    answeredAt,
    detachedAt: new Date(),
    telemetry: callTelemetry(parts),
  });
}
