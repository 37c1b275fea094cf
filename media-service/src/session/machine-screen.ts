import { actionFor, type MachineVerdict, type VerdictAction } from '#shared/voicemail/answered-by.ts';
import type { StartTimer, Timer } from './session-timers.ts';

/** Why the screen let the call through or ended it. */
export type ScreenDecision =
  | { action: VerdictAction; verdict: MachineVerdict; late: boolean }
  /** No verdict within the wait: the agent greets, as for a person. */
  | { action: 'converse'; verdict?: undefined; late: false };

export interface MachineScreenOptions {
  /** Longest hold of the greeting before talking anyway. */
  waitMs: number;
  after: StartTimer;
  /** Told once when the call may talk (a person, unknown, or the wait ran out)… */
  decided(decision: ScreenDecision): void;
}

/**
 * Holds an outbound call's greeting while answering-machine detection runs, so the agent never
 * talks over a machine's greeting: the call goes on when the provider says who answered, or when
 * the wait runs out. A machine verdict that arrives after the call went on still counts (the
 * agent was talking to a machine); any other late verdict changes nothing.
 */
export class MachineScreen {
  private readonly options: MachineScreenOptions;
  private state: 'idle' | 'waiting' | 'conversing' | 'ended' = 'idle';
  private timer: Timer | undefined;
  private early: MachineVerdict | undefined;

  constructor(options: MachineScreenOptions) {
    this.options = options;
  }

  /** True while the caller's audio must not reach the model: detection runs, or a machine answered. */
  get holding(): boolean {
    return this.state === 'idle' || this.state === 'waiting' || this.state === 'ended';
  }

  /** Starts the wait; a verdict that came before the session was ready is applied now. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'waiting';
    if (this.early) {
      this.verdict(this.early);
      return;
    }
    this.timer = this.options.after(this.options.waitMs, () => {
      if (this.state !== 'waiting') return;
      this.state = 'conversing';
      this.options.decided({ action: 'converse', late: false });
    });
  }

  verdict(verdict: MachineVerdict): void {
    if (this.state === 'idle') {
      this.early ??= verdict;
      return;
    }
    const action = actionFor(verdict.answeredBy);
    if (this.state === 'waiting') {
      this.timer?.cancel();
      this.state = action === 'converse' ? 'conversing' : 'ended';
      this.options.decided({ action, verdict, late: false });
      return;
    }
    if (this.state === 'conversing' && action !== 'converse') {
      this.state = 'ended';
      this.options.decided({ action, verdict, late: true });
    }
  }
}
