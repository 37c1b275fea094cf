import { createReadStream, type ReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes a spool read stream holds at once (uploads stream parts from disk in these). */
const STREAM_CHUNK = 8 * 1024;

/**
 * One call's recording on the task's disk, in one sparse file, so the recorder's memory stays a
 * few kilobytes whatever the call's length:
 * - two rings of `ringBytes` each (caller, agent): the 8 kHz μ-law tracks by timeline position,
 *   kept until encoded (the agent's audio is placed ahead of the caller's clock and may be cut);
 * - the first part of the upload (header + audio), kept until completion re-uploads it with the
 *   final sizes;
 * - two alternating regions for the later parts: one fills while the other uploads.
 */
export class RecordingSpool {
  readonly path: string;
  private readonly handle: FileHandle;
  private readonly ringBytes: number;
  private readonly partBytes: number;

  private constructor(path: string, handle: FileHandle, ringBytes: number, partBytes: number) {
    this.path = path;
    this.handle = handle;
    this.ringBytes = ringBytes;
    this.partBytes = partBytes;
  }

  static async create(
    dir: string,
    name: string,
    ringBytes: number,
    partBytes: number,
  ): Promise<RecordingSpool> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${name}.spool`);
    return new RecordingSpool(path, await open(path, 'w+'), ringBytes, partBytes);
  }

  /** Writes track bytes at timeline `position` (wrapping around the ring). */
  async writeTrack(track: 'caller' | 'agent', position: number, bytes: Buffer): Promise<void> {
    const base = track === 'caller' ? 0 : this.ringBytes;
    let done = 0;
    while (done < bytes.length) {
      const at = (position + done) % this.ringBytes;
      const length = Math.min(bytes.length - done, this.ringBytes - at);
      await this.handle.write(bytes, done, length, base + at);
      done += length;
    }
  }

  /** Reads track bytes of timeline `[from, from + into.length)` into `into` at `offset`. */
  async readTrack(
    track: 'caller' | 'agent',
    from: number,
    into: Buffer,
    offset = 0,
    length = into.length,
  ): Promise<void> {
    const base = track === 'caller' ? 0 : this.ringBytes;
    let done = 0;
    while (done < length) {
      const at = (from + done) % this.ringBytes;
      const chunk = Math.min(length - done, this.ringBytes - at);
      const { bytesRead } = await this.handle.read(into, offset + done, chunk, base + at);
      // Never written (sparse): the bytes stay as the caller pre-filled them.
      if (bytesRead < chunk) break;
      done += chunk;
    }
  }

  /** File offset of part region `region` (0: the first part; 1 and 2 alternate for the rest). */
  regionOffset(region: 0 | 1 | 2): number {
    return 2 * this.ringBytes + region * this.partBytes;
  }

  async writeAt(offset: number, bytes: Buffer): Promise<void> {
    await this.handle.write(bytes, 0, bytes.length, offset);
  }

  /** A stream of `length` bytes from `offset`, to upload a part without holding it in memory. */
  streamRange(offset: number, length: number): ReadStream {
    return createReadStream(this.path, {
      start: offset,
      end: offset + length - 1,
      highWaterMark: STREAM_CHUNK,
    });
  }

  /** Closes and deletes the file. */
  async remove(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
