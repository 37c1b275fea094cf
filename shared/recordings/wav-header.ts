/**
 * The header of the recordings' WAV files: G.711 μ-law (WAVE_FORMAT_MULAW, tag 7), 8 kHz, 8 bits
 * per sample, one or two channels. Non-PCM formats carry an 18-byte `fmt ` chunk and a `fact`
 * chunk (the sample count per channel), as the WAVE specification asks and SoX writes them.
 */
export const WAVE_FORMAT_MULAW = 7;
export const RECORDING_SAMPLE_RATE = 8000;
/** RIFF (12) + `fmt ` (8 + 18) + `fact` (8 + 4) + `data` (8). */
export const WAV_HEADER_BYTES = 58;
/** Sizes a streaming writer puts in before it knows them: players read to the end of the file. */
export const UNKNOWN_SIZE = 0xffffffff;

/**
 * The header for `dataBytes` of interleaved μ-law frames, or with every size set to
 * `UNKNOWN_SIZE` when `dataBytes` is undefined (a recording still being written).
 */
export function wavMulawHeader(channels: 1 | 2, dataBytes?: number): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  const known = dataBytes !== undefined;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(known ? WAV_HEADER_BYTES - 8 + dataBytes : UNKNOWN_SIZE, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(18, 16);
  header.writeUInt16LE(WAVE_FORMAT_MULAW, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(RECORDING_SAMPLE_RATE, 24);
  header.writeUInt32LE(RECORDING_SAMPLE_RATE * channels, 28); // bytes per second
  header.writeUInt16LE(channels, 32); // block align: one byte per channel
  header.writeUInt16LE(8, 34); // bits per sample
  header.writeUInt16LE(0, 36); // cbSize: no extension
  header.write('fact', 38, 'ascii');
  header.writeUInt32LE(4, 42);
  header.writeUInt32LE(known ? Math.floor(dataBytes / channels) : UNKNOWN_SIZE, 46);
  header.write('data', 50, 'ascii');
  header.writeUInt32LE(known ? dataBytes : UNKNOWN_SIZE, 54);
  return header;
}

/** What a recording's header says, for tests and the sweeper. */
export interface WavInfo {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Declared size of the `data` chunk (UNKNOWN_SIZE for a streaming header). */
  dataBytes: number;
  /** Where the `data` chunk's bytes start. */
  dataOffset: number;
}

/** Reads a RIFF/WAVE header, walking its chunks; throws on anything that is not one. */
export function parseWavHeader(bytes: Buffer): WavInfo {
  if (
    bytes.length < 12 ||
    bytes.toString('ascii', 0, 4) !== 'RIFF' ||
    bytes.toString('ascii', 8, 12) !== 'WAVE'
  )
    throw new Error('not a RIFF/WAVE file');
  let offset = 12;
  let format: Omit<WavInfo, 'dataBytes' | 'dataOffset'> | undefined;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      format = {
        formatTag: bytes.readUInt16LE(offset + 8),
        channels: bytes.readUInt16LE(offset + 10),
        sampleRate: bytes.readUInt32LE(offset + 12),
        bitsPerSample: bytes.readUInt16LE(offset + 22),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('data chunk before fmt chunk');
      return { ...format, dataBytes: size, dataOffset: offset + 8 };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}
