import { writeFileSync } from 'node:fs';

/**
 * Writes a speech-like test clip as a 16-bit mono WAV: a voiced tone (130 Hz fundamental with
 * falling harmonics) shaped into syllables of about 200 ms, with short pauses. Chromium's fake
 * microphone plays it in a loop; what matters to the tests is that it is clearly not silence.
 */
export function writeSpeechLikeWav(
  path: string,
  options: { seconds?: number; sampleRate?: number; silenceSeconds?: number } = {},
): void {
  const sampleRate = options.sampleRate ?? 48_000;
  const count = Math.round((options.seconds ?? 2) * sampleRate);
  // Trailing silence (zeros) lets a listener hear the end of the turn before the loop restarts.
  const data = Buffer.alloc((count + Math.round((options.silenceSeconds ?? 0) * sampleRate)) * 2);
  for (let i = 0; i < count; i++) {
    const t = i / sampleRate;
    const syllable = (t * 4) % 1; // four syllables a second
    const envelope = syllable < 0.8 ? Math.sin((Math.PI * syllable) / 0.8) : 0;
    let voice = 0;
    for (let harmonic = 1; harmonic <= 8; harmonic++) {
      voice += Math.sin(2 * Math.PI * 130 * harmonic * t) / harmonic;
    }
    const sample = Math.round(0.35 * envelope * voice * 0x7fff * 0.5);
    data.writeInt16LE(Math.max(-0x8000, Math.min(0x7fff, sample)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16); // PCM fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}

/** Root mean square of PCM16 little-endian samples, 0..1. */
export function pcm16Rms(pcm: Buffer): number {
  const samples = Math.floor(pcm.length / 2);
  if (samples === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    const s = pcm.readInt16LE(i * 2) / 0x8000;
    sum += s * s;
  }
  return Math.sqrt(sum / samples);
}

/** `ms` of a 24 kHz PCM16 sine tone in 100 ms chunks: agent audio as the fake model streams it. */
export function tone(ms: number, hz: number, amplitude = 5000): Buffer[] {
  const chunks: Buffer[] = [];
  for (let start = 0; start < ms; start += 100) {
    const chunk = Buffer.alloc(Math.min(100, ms - start) * 48);
    for (let i = 0; i < chunk.length / 2; i++) {
      const t = (start * 24 + i) / 24_000;
      chunk.writeInt16LE(Math.round(Math.sin(2 * Math.PI * hz * t) * amplitude), i * 2);
    }
    chunks.push(chunk);
  }
  return chunks;
}
