/**
 * Groups key presses typed in quick succession ("1234#") into one message for the model instead
 * of one turn per digit.
 */
export class DtmfCollector {
  private digits = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly gapMs: number;
  private readonly flush: (digits: string) => void;

  constructor(gapMs: number, flush: (digits: string) => void) {
    this.gapMs = gapMs;
    this.flush = flush;
  }

  press(digit: string): void {
    this.digits += digit;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const digits = this.digits;
      this.digits = '';
      this.flush(digits);
    }, this.gapMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
