import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Call, EndReason } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { recordingPlanFor } from '#shared/recordings/recording-plan.ts';
import type { ResumeState } from '../resume/resume-admission.ts';
import { openResumed, remainingDurationMs } from '../resume/session-continuity.ts';
import { Guardrails } from './guardrails.ts';
import type { ScreenDecision } from './machine-screen.ts';
import { greetingResponse } from './session-config.ts';
import type { SessionParts } from './session-wiring.ts';

/**
 * How a call opens once the agent is on the line: the screen's verdict on an outbound call
 * (answering machine, fax or person), then the agent's first words (the greeting, or on a
 * resumed call the restored conversation's resume line) and the guardrails' clocks.
 */

/** What the session does with the answering-machine screen's decision (logged here). */
export function screenOutcome(logger: Logger, decision: ScreenDecision): EndReason | 'greet' {
  logger.info('answering-machine screen decided', {
    action: decision.action,
    answeredBy: decision.verdict?.answeredBy ?? 'no_verdict',
    providerVerdict: decision.verdict?.providerVerdict,
    late: decision.late,
  });
  if (decision.action === 'voicemail') return 'voicemail';
  if (decision.action === 'hang_up') return 'fax';
  return 'greet';
}

export interface Greeting {
  call: Call;
  agent: Agent;
  parts: SessionParts;
  logger: Logger;
  resume: ResumeState | undefined;
  /** Ends the call politely (time limit, idle). */
  end(reason: EndReason): void;
  /** Someone is talking or a tool runs: the idle clock must not fire. */
  busy(): boolean;
}

/** The agent's first words, then the guardrails' clocks start (returned, for the session to stop). */
export function greetAndGuard(greeting: Greeting): Guardrails {
  const { call, agent, parts, logger, resume } = greeting;
  if (resume) openResumed(parts, logger, resume);
  else parts.link.send(greetingResponse(agent, recordingPlanFor(call, agent)?.disclosure));
  return new Guardrails({
    maxDurationMs: remainingDurationMs(agent, resume),
    idleMs: agent.idleTimeoutSeconds * 1000,
    onMaxDuration: () => greeting.end('max_duration'),
    onIdle: () => greeting.end('idle_timeout'),
    busy: greeting.busy,
    after: parts.timers.after,
  });
}

/** Errors the realtime API sends in normal operation of this sequencing; not worth a warning. */
const BENIGN_ERRORS = new Set(['response_cancel_not_active', 'conversation_already_has_active_response']);

/** A model `error` event: logged unless it is one the session's own sequencing provokes. */
export function logModelError(
  logger: Logger,
  error: { code?: string; message?: string; type?: string },
): void {
  if (BENIGN_ERRORS.has(error.code ?? '')) return;
  logger.warn('model error', { code: error.code, type: error.type, message: error.message });
}
