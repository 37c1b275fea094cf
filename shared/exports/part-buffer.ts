/**
 * The bytes of one multipart part, written in place into one buffer that is reused for every
 * part. Collecting row Buffers and concatenating them held each part twice (the rows and the
 * joined copy) and left a part-sized garbage buffer per part; this holds one part-sized buffer
 * for the whole export, which is what keeps the exporter's RSS flat.
 */
export class PartBuffer {
  private buffer: Buffer;
  private used = 0;

  constructor(initialBytes: number) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.used;
  }

  write(text: string): void {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (this.used + bytes > this.buffer.length) {
      // Rare: a page overshoots the part size by more than the slack; grow once, keep it.
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** The part's bytes: a view, valid until the next `clear` (upload it before writing more). */
  view(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  clear(): void {
    this.used = 0;
  }
}
