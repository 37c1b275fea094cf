import type { CallTransfer, TransferOutcome } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { ToolResult } from '../tools/session-tool.ts';
import type { StartTimer, Timer } from '../session-timers.ts';
import {
  ACCEPT_KEY,
  type ConsultInput,
  type ConsultPhase,
  consultStep,
  DECLINE_KEY,
} from './consult-decision.ts';
import type { ConsultLeg, WarmTransferLine } from './warm-transfer-line.ts';

/** How long the provider rings the person. */
export const RING_SECONDS = 20;
/** Silence after the briefing that counts as accepting (the person stayed on the line). */
const DECISION_MS = 5_000;
/** Beyond the ring time: a provider that never reports the leg's end does not keep the caller on hold. */
const RING_GRACE_MS = 10_000;

const HOLD_LINE =
  'Tell the caller in one short sentence that you are bringing in a colleague now and they will hear hold music for a moment.';
const PROMPT = `Then say: "Press ${ACCEPT_KEY} to take the call now, or ${DECLINE_KEY} to decline."`;
const SPEAKING_TO_PERSON =
  'You are now speaking to your colleague who is taking over this call, not to the caller. Do not greet the caller.';

/** The instructions for the briefing: the model's own words, or a summary of the call so far. */
export function briefingInstructions(briefing: string | undefined): string {
  const body = briefing
    ? `Say exactly this briefing, word for word: "${briefing.replaceAll('"', "'")}"`
    : 'In two short sentences, tell them who is calling and what the caller needs, from the conversation so far.';
  return `${SPEAKING_TO_PERSON} ${body} ${PROMPT}`;
}

const MESSAGES: Record<Exclude<TransferOutcome, 'answered'>, string> = {
  declined: 'Your colleague could not take the call.',
  no_answer: 'Your colleague did not answer.',
  busy: 'Your colleague is on another call.',
  failed: 'The transfer could not be placed.',
  canceled: 'The caller hung up during the hold.',
};

export interface WarmTransferDeps {
  line: WarmTransferLine;
  /** Our number on this call, shown to the person. */
  from: string;
  /** Says a line outside the conversation; resolves once it has played. */
  say(instructions: string): Promise<void>;
  /** Adds a line to the transcript (role `tool`). */
  note(text: string): void;
  /** Stores the call's transfer attempts so far. */
  save(transfers: CallTransfer[]): void;
  /** Caller and person are connected: the session closes as `transferred` (the agent leaves). */
  handOver(): Promise<void>;
  after: StartTimer;
  logger: Logger;
  /** Silence after the briefing that accepts; 5 s unless a test shortens it. */
  decisionMs?: number;
  /** Told each attempt's outcome (metrics). */
  onOutcome?(outcome: TransferOutcome): void;
}

interface Attempt {
  record: CallTransfer;
  phase: ConsultPhase;
  leg?: ConsultLeg;
  timer?: Timer;
  done: boolean;
  /** Resolves once the attempt's outcome is recorded (the session's close waits for it). */
  stored: Promise<void>;
  markStored(): void;
  settle(step: 'connect' | TransferOutcome): void;
}

/**
 * One call's warm transfers: the agent tells the caller, the caller is held, the person is dialed
 * and briefed and decides; then either the caller is connected to them and the agent leaves, or
 * the caller is back with the agent and the model is told why (its tool result), within a second
 * or two of the consult leg ending. One attempt at a time; the caller hanging up cancels it.
 */
export class WarmTransfer {
  private readonly deps: WarmTransferDeps;
  private readonly transfers: CallTransfer[] = [];
  private attempt: Attempt | undefined;
  private callerGone = false;

  constructor(deps: WarmTransferDeps) {
    this.deps = deps;
  }

  get inProgress(): boolean {
    return this.attempt !== undefined;
  }

  async run(to: string, briefing: string | undefined): Promise<ToolResult> {
    if (this.attempt) return refusal('transfer_in_progress', 'A transfer is already in progress.');
    let settle: (step: 'connect' | TransferOutcome) => void = () => undefined;
    const settled = new Promise<'connect' | TransferOutcome>((resolve) => {
      settle = resolve;
    });
    let markStored: () => void = () => undefined;
    const stored = new Promise<void>((resolve) => {
      markStored = resolve;
    });
    const attempt: Attempt = {
      stored,
      markStored,
      record: { to, mode: 'warm', outcome: 'failed', startedAt: new Date().toISOString(), endedAt: '' },
      phase: 'ringing',
      done: false,
      settle: (step) => {
        if (attempt.done) return;
        attempt.done = true;
        attempt.timer?.cancel();
        settle(step);
      },
    };
    this.attempt = attempt;
    this.deps.note(`warm transfer to ${to} started`);
    try {
      const step = await this.consult(attempt, briefing, settled);
      return step === 'connect' ? await this.connect(attempt) : await this.giveUp(attempt, step);
    } catch (error) {
      this.deps.logger.error('warm transfer failed', { err: error });
      return this.giveUp(attempt, 'failed');
    } finally {
      attempt.markStored();
      this.attempt = undefined;
    }
  }

  /** The caller hung up: the consult leg is cancelled and the attempt ends as `canceled`. */
  callerLeft(): Promise<void> {
    this.callerGone = true;
    this.attempt?.settle('canceled');
    return this.attempt?.stored ?? Promise.resolve();
  }

  private async consult(
    attempt: Attempt,
    briefing: string | undefined,
    settled: Promise<'connect' | TransferOutcome>,
  ): Promise<'connect' | TransferOutcome> {
    const { line, after } = this.deps;
    await this.deps.say(HOLD_LINE);
    if (this.callerGone) return 'canceled';
    await line.hold();
    if (this.callerGone) return 'canceled';
    const input = (event: ConsultInput) => {
      if (attempt.done) return;
      const step = consultStep(attempt.phase, event);
      if (step.action === 'connect') attempt.settle('connect');
      else if (step.action === 'give_up') attempt.settle(step.outcome);
    };
    try {
      attempt.leg = await line.dial(
        { to: attempt.record.to, from: this.deps.from, ringSeconds: RING_SECONDS },
        {
          answered: () => {
            if (attempt.done || attempt.phase !== 'ringing') return;
            attempt.timer?.cancel();
            attempt.phase = 'briefing';
            attempt.record.answeredAt = new Date().toISOString();
            void this.brief(attempt, briefing, input);
          },
          digit: (digit) => input({ kind: 'digit', digit }),
          ended: (why) => input({ kind: 'leg_ended', why }),
        },
      );
    } catch (error) {
      this.deps.logger.warn('warm transfer dial refused', { err: error });
      return 'failed';
    }
    if (this.callerGone) return 'canceled';
    if (attempt.phase === 'ringing' && !attempt.done) {
      attempt.timer = after(RING_SECONDS * 1000 + RING_GRACE_MS, () =>
        input({ kind: 'leg_ended', why: 'no_answer' }),
      );
    }
    return settled;
  }

  private async brief(attempt: Attempt, briefing: string | undefined, input: (event: ConsultInput) => void) {
    await this.deps.say(briefingInstructions(briefing));
    if (attempt.done || attempt.phase !== 'briefing') return;
    attempt.phase = 'deciding';
    attempt.timer = this.deps.after(this.deps.decisionMs ?? DECISION_MS, () =>
      input({ kind: 'window_elapsed' }),
    );
  }

  private async connect(attempt: Attempt): Promise<ToolResult> {
    try {
      await attempt.leg?.connect();
    } catch (error) {
      this.deps.logger.error('warm transfer could not connect the legs', { err: error });
      return this.giveUp(attempt, 'failed');
    }
    this.finishRecord(attempt, 'answered');
    await this.deps.handOver();
    return { ok: true, output: JSON.stringify({ ok: true, outcome: 'answered' }) };
  }

  private async giveUp(attempt: Attempt, outcome: TransferOutcome): Promise<ToolResult> {
    await attempt.leg?.hangUp();
    if (!this.callerGone) {
      await this.deps.line.resume().catch((error: unknown) => {
        this.deps.logger.error('caller could not be taken off hold', { err: error });
      });
    }
    this.finishRecord(attempt, this.callerGone ? 'canceled' : outcome);
    const final = attempt.record.outcome as Exclude<TransferOutcome, 'answered'>;
    return {
      ok: false,
      failure: `transfer_${final}`,
      output: JSON.stringify({
        error: 'transfer_not_completed',
        outcome: final,
        message: `${MESSAGES[final]} The caller is back with you: apologise and offer to take a message.`,
      }),
    };
  }

  private finishRecord(attempt: Attempt, outcome: TransferOutcome): void {
    attempt.record.outcome = outcome;
    attempt.record.endedAt = new Date().toISOString();
    this.transfers.push({ ...attempt.record });
    this.deps.note(`warm transfer to ${attempt.record.to}: ${outcome}`);
    this.deps.save([...this.transfers]);
    this.deps.onOutcome?.(outcome);
    attempt.markStored();
  }
}

/** A tool error the model reads (never thrown). */
export function refusal(error: string, message: string): ToolResult {
  return { ok: false, failure: error, output: JSON.stringify({ error, message }) };
}
