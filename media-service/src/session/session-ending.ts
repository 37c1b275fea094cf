import { AppError } from '#shared/errors/app-error.ts';
import type { Agent } from '#shared/agents/agent-schema.ts';
import type { EndReason } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { CallTransport } from './call-transport.ts';
import type { PlaybackTracker } from './playback-tracker.ts';
import type { SessionParts } from './session-wiring.ts';
import type { StartTimer } from './session-timers.ts';

/** How a call ends: what the agent says first (if anything), then hang up or transfer. */
export interface EndPlan {
  reason: EndReason;
  sayInstructions?: string;
  transferTo?: string;
  /** Longest wait for the line to be generated (the session's goodbye timeout by default). */
  lineTimeoutMs?: number;
  /** Longest wait for the line to play out (20 s by default). */
  playoutCapMs?: number;
}

/** A voicemail message may run about a minute (1,000 characters): generous bounds for it. */
const VOICEMAIL_LINE_TIMEOUT_MS = 60_000;
const VOICEMAIL_PLAYOUT_CAP_MS = 120_000;

/** Instructions that make the model say `message` word for word to an answering machine. */
export function voicemailInstructions(message: string): string {
  return `You reached an answering machine and its greeting has ended. Leave this voicemail message, saying exactly, word for word, and nothing else: "${message}"`;
}

/** The closing line per reason; a caller who already hung up hears nothing. */
export function endPlanFor(reason: EndReason, agent: Pick<Agent, 'transferNumber' | 'voicemail'>): EndPlan {
  switch (reason) {
    case 'voicemail':
      return agent.voicemail?.action === 'leave_message' && agent.voicemail.message
        ? {
            reason,
            sayInstructions: voicemailInstructions(agent.voicemail.message),
            lineTimeoutMs: VOICEMAIL_LINE_TIMEOUT_MS,
            playoutCapMs: VOICEMAIL_PLAYOUT_CAP_MS,
          }
        : { reason };
    case 'agent_hangup':
      return { reason, sayInstructions: 'Say a brief, friendly goodbye to the caller.' };
    case 'max_duration':
      return {
        reason,
        sayInstructions:
          'The call has reached its time limit. Politely tell the caller you have to end the call now, and say goodbye.',
      };
    case 'idle_timeout':
      return {
        reason,
        sayInstructions:
          'The caller has been silent for a while. Politely say you will end the call now since there is no response, and say goodbye.',
      };
    case 'shutdown':
    case 'api_request':
      return {
        reason,
        sayInstructions: 'Politely tell the caller you need to end the call now, and say goodbye.',
      };
    case 'transferred':
      return agent.transferNumber
        ? {
            reason,
            transferTo: agent.transferNumber,
            sayInstructions:
              'Tell the caller in one short sentence that you are transferring them to a colleague now.',
          }
        : { reason: 'agent_hangup', sayInstructions: 'Say a brief, friendly goodbye to the caller.' };
    default:
      return { reason };
  }
}

export interface CallEndingDeps {
  transport: Pick<CallTransport, 'hangUp' | 'transfer'>;
  playback: Pick<PlaybackTracker, 'drained'>;
  logger: Logger;
  /** Whether a model socket is ready to speak the closing line. */
  modelReady(): boolean;
  /** Cancels whatever response is active, then sends the closing `response.create`. */
  say(instructions: string): void;
  isClosing(): boolean;
  close(reason: EndReason): Promise<void>;
  /** Longest wait for the closing line before hanging up anyway. */
  goodbyeTimeoutMs: number;
  /** Starts the goodbye timer; the session's timers, so `close()` cancels it. */
  after: StartTimer;
}

/** Longest wait for the caller to hear the closing line once it was generated. */
const PLAYOUT_CAP_MS = 20_000;

/**
 * One polite ending: the agent says the plan's line, the caller hears it (playback reports), the
 * provider hangs up or transfers, then the session closes. Bounded at every step, so a silent
 * model or a provider error never keeps a call open.
 */
export class CallEnding {
  readonly plan: EndPlan;
  private readonly deps: CallEndingDeps;
  private lineResponseId: string | undefined;
  private lineRequested = false;
  private finishing = false;

  constructor(plan: EndPlan, deps: CallEndingDeps) {
    this.plan = plan;
    this.deps = deps;
  }

  begin(): void {
    if (!this.plan.sayInstructions || !this.deps.modelReady()) {
      void this.finish();
      return;
    }
    this.lineRequested = true;
    this.deps.say(this.plan.sayInstructions);
    this.deps.after(this.plan.lineTimeoutMs ?? this.deps.goodbyeTimeoutMs, () => void this.finish());
  }

  /** The first response created after the request is the closing line. */
  responseCreated(responseId: string): void {
    if (this.lineRequested && !this.lineResponseId) this.lineResponseId = responseId;
  }

  responseDone(responseId: string): void {
    if (responseId === this.lineResponseId) void this.finish();
  }

  /** Hangs up (or transfers) once the closing line has played, then closes. Runs once. */
  async finish(): Promise<void> {
    if (this.finishing || this.deps.isClosing()) return;
    this.finishing = true;
    await this.deps.playback.drained(this.plan.playoutCapMs ?? PLAYOUT_CAP_MS);
    if (this.deps.isClosing()) return; // the caller hung up during the closing line
    const ended = await endAtProvider(this.deps, this.plan);
    // A transfer the provider refused leaves the caller with no one: say so in the record.
    await this.deps.close(ended || !this.plan.transferTo ? this.plan.reason : 'transfer_failed');
  }
}

/**
 * Hangs up or transfers at the provider; returns false when the provider refused (logged; a
 * failed transfer is followed by a hang-up so the call does not linger).
 */
export async function endAtProvider(
  deps: Pick<CallEndingDeps, 'transport' | 'logger'>,
  plan: EndPlan,
): Promise<boolean> {
  try {
    if (plan.transferTo && deps.transport.transfer) await deps.transport.transfer(plan.transferTo);
    else await deps.transport.hangUp(plan.reason);
    return true;
  } catch (error) {
    // The provider answering "no" (an invalid transfer number, a call already gone) is handled
    // here; only a failure to reach it is a fault.
    const refused = error instanceof AppError && error.status < 500;
    deps.logger[refused ? 'warn' : 'error']('provider did not end the call', {
      err: error,
      reason: plan.reason,
    });
    if (plan.transferTo) await deps.transport.hangUp(plan.reason).catch(() => undefined);
    return false;
  }
}

/** What a polite ending needs of its session's parts. */
export interface EndingSession {
  agent: Pick<Agent, 'transferNumber' | 'voicemail'>;
  parts: Pick<SessionParts, 'link' | 'responses' | 'playback' | 'timers'>;
  transport: Pick<CallTransport, 'hangUp' | 'transfer'>;
  logger: Logger;
  goodbyeTimeoutMs: number;
  isClosing(): boolean;
  close(reason: EndReason): Promise<void>;
}

/** Starts the polite ending fitting `reason` on a session's model link and playback. */
export function beginEnding(reason: EndReason, session: EndingSession): CallEnding {
  const { link, responses, playback, timers } = session.parts;
  const ending = new CallEnding(endPlanFor(reason, session.agent), {
    transport: session.transport,
    playback,
    logger: session.logger,
    modelReady: () => link.ready,
    say: (instructions) => {
      responses.cancel();
      link.send({ type: 'response.create', response: { instructions, tool_choice: 'none' } });
    },
    isClosing: session.isClosing,
    close: session.close,
    goodbyeTimeoutMs: session.goodbyeTimeoutMs,
    after: timers.after,
  });
  ending.begin();
  return ending;
}
