import { plainTimer, type StartTimer, type Timer } from './session-timers.ts';

/**
 * Groups key presses typed in quick succession ("1234#") into one message for the model instead
 * of one turn per digit.
 */
export class DtmfCollector {
  private digits = '';
  private timer: Timer | undefined;
  private readonly gapMs: number;
  private readonly flush: (digits: string) => void;
  private readonly after: StartTimer;

  constructor(gapMs: number, flush: (digits: string) => void, after: StartTimer = plainTimer) {
    this.gapMs = gapMs;
    this.flush = flush;
    this.after = after;
  }

  press(digit: string): void {
    this.digits += digit;
    this.timer?.cancel();
    this.timer = this.after(this.gapMs, () => {
      const digits = this.digits;
      this.digits = '';
      this.flush(digits);
    });
  }

  stop(): void {
    this.timer?.cancel();
  }
}
