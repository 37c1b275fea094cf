import { base64ByteLength } from './call-transport.ts';

/**
 * Caller audio held while the model socket is not ready (first connect or a reconnect), bounded
 * by duration. Nothing is dropped within the bound; beyond it the oldest audio goes, because the
 * newest is what the caller is saying now.
 */
export class PendingAudio {
  private chunks: (Buffer | string)[] = [];
  private bytes = 0;
  private readonly maxBytes: number;
  dropped = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  push(chunk: Buffer | string): void {
    this.chunks.push(chunk);
    this.bytes += byteSize(chunk);
    while (this.bytes > this.maxBytes && this.chunks.length > 1) {
      const oldest = this.chunks.shift() as Buffer | string;
      this.bytes -= byteSize(oldest);
      this.dropped++;
    }
  }

  /** Hands every held chunk to `send` in order and empties the buffer. */
  drain(send: (chunk: Buffer | string) => void): number {
    const chunks = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    for (const chunk of chunks) send(chunk);
    return chunks.length;
  }

  get size(): number {
    return this.chunks.length;
  }
}

/** Decoded size of a chunk. */
function byteSize(chunk: Buffer | string): number {
  return typeof chunk === 'string' ? base64ByteLength(chunk) : chunk.length;
}
