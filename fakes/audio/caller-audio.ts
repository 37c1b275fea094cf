import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Caller audio for simulated phone calls: G.711 μ-law, 8 kHz mono, in 20 ms (160-byte) frames,
 * which is what Twilio streams. From a WAV file, from speech synthesised with espeak-ng + sox
 * when they are installed, or from a tone generated here.
 */

export const FRAME_BYTES = 160;
export const FRAME_MS = 20;
const MULAW_SILENCE = 0xff;

/** G.711 μ-law encoding of one 16-bit sample (bias 0x84, clip 32635). */
export function encodeMulaw(sample: number): number {
  let x = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = (x >> 8) & 0x80;
  if (sign) x = -x;
  x = Math.min(x, 32635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (x & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (x >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** G.711 μ-law decoding of one byte to a 16-bit sample. */
export function decodeMulaw(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

const hasCommand = (name: string) =>
  spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

/** Converts any audio file sox understands to raw μ-law 8 kHz mono. */
function soxToMulaw(input: string): Buffer {
  const out = spawnSync('sox', [input, '-r', '8000', '-c', '1', '-e', 'mu-law', '-t', 'raw', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`sox could not convert ${input}: ${out.stderr.toString().trim()}`);
  return out.stdout;
}

/** Reads a WAV's `fmt ` and `data` chunks (RIFF little-endian). */
function parseWav(file: Buffer): {
  format: number;
  channels: number;
  rate: number;
  bits: number;
  data: Buffer;
} {
  if (file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('Not a WAV file.');
  }
  let offset = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      fmt = {
        format: file.readUInt16LE(body),
        channels: file.readUInt16LE(body + 2),
        rate: file.readUInt32LE(body + 4),
        bits: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data' && fmt) {
      return { ...fmt, data: file.subarray(body, Math.min(file.length, body + size)) };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('The WAV file has no fmt/data chunks.');
}

/**
 * Loads a caller recording as μ-law 8 kHz. WAVs already in telephone format (μ-law 8 kHz, or
 * 16-bit PCM 8 kHz mono) are read directly; anything else goes through sox, which resamples
 * properly (a naive resampler would alias).
 */
export function loadCallerAudio(path: string): Buffer {
  const file = readFileSync(path);
  if (path.endsWith('.ulaw') || path.endsWith('.raw')) return file;
  try {
    const wav = parseWav(file);
    if (wav.rate === 8000 && wav.channels === 1) {
      if (wav.format === 7 && wav.bits === 8) return Buffer.from(wav.data);
      if (wav.format === 1 && wav.bits === 16) {
        const out = Buffer.alloc(wav.data.length >> 1);
        for (let i = 0; i < out.length; i++) out[i] = encodeMulaw(wav.data.readInt16LE(i * 2));
        return out;
      }
    }
  } catch (error) {
    if (!hasCommand('sox')) throw error;
  }
  if (!hasCommand('sox')) {
    throw new Error(
      `${path} is not 8 kHz mono μ-law/PCM16; install sox to convert it (apt-get install sox).`,
    );
  }
  return soxToMulaw(path);
}

/** Synthesises `text` with espeak-ng (+ sox); undefined when either tool is missing. */
export function synthesiseSpeech(text: string): Buffer | undefined {
  if (!hasCommand('espeak-ng') || !hasCommand('sox')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ai-caller-speech-'));
  try {
    const wav = join(dir, 'speech.wav');
    const out = spawnSync('espeak-ng', ['-w', wav, text]);
    if (out.status !== 0) return undefined;
    return soxToMulaw(wav);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A tone burst followed by silence (a stand-in for speech when no synthesiser is installed). */
export function toneClip(options: { hz?: number; toneMs?: number; silenceMs?: number } = {}): Buffer {
  const hz = options.hz ?? 440;
  const toneSamples = ((options.toneMs ?? 1500) * 8000) / 1000;
  const silenceSamples = ((options.silenceMs ?? 1500) * 8000) / 1000;
  const out = Buffer.alloc(toneSamples + silenceSamples, MULAW_SILENCE);
  for (let i = 0; i < toneSamples; i++) out[i] = encodeMulaw(8000 * Math.sin((2 * Math.PI * hz * i) / 8000));
  return out;
}

/**
 * Tone syllables (180 ms on, 80 ms off) for `ms`, then `silenceMs` of silence: a stand-in for
 * speech that voice activity detection hears as speech, not as a steady tone.
 */
export function syllableClip(options: { hz?: number; ms?: number; silenceMs?: number } = {}): Buffer {
  const syllables: Buffer[] = [];
  for (let at = 0; at < (options.ms ?? 1500); at += 260) {
    syllables.push(toneClip({ hz: options.hz ?? 440, toneMs: 180, silenceMs: 80 }));
  }
  return Buffer.concat([...syllables, silence(options.silenceMs ?? 1500)]);
}

/** Silence of the given length (μ-law 0xFF). */
export const silence = (ms: number): Buffer => Buffer.alloc((ms * 8000) / 1000, MULAW_SILENCE);

/** Splits μ-law audio into 20 ms frames, padding the last one with silence. */
export function toFrames(audio: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < audio.length; offset += FRAME_BYTES) {
    const frame = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
    audio.copy(frame, 0, offset, Math.min(audio.length, offset + FRAME_BYTES));
    frames.push(frame);
  }
  return frames;
}
