/**
 * Hold audio for a caller whose Media Stream stays with us during a warm transfer: a soft
 * two-note chime every two seconds, G.711 μ-law at 8 kHz, generated once. Streamed by the
 * transport in real time, so Twilio's playout queue stays short and `clear` stops it at once.
 */
const RATE = 8000;
const PERIOD_MS = 2000;
const NOTES: readonly { hz: number; fromMs: number; toMs: number }[] = [
  { hz: 659.25, fromMs: 0, toMs: 350 },
  { hz: 523.25, fromMs: 400, toMs: 900 },
];
const AMPLITUDE = 2500;

/** G.711 μ-law encoding of one 16-bit linear sample (ITU-T G.711, with the 0x84 bias). */
export function mulawFromLinear(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(CLIP, Math.abs(Math.round(sample))) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One period of hold audio (2 s, 16,000 bytes of μ-law). */
export function holdAudioPeriod(): Buffer {
  const samples = (RATE * PERIOD_MS) / 1000;
  const out = Buffer.alloc(samples);
  for (let i = 0; i < samples; i++) {
    const ms = (i * 1000) / RATE;
    const note = NOTES.find((n) => ms >= n.fromMs && ms < n.toMs);
    let value = 0;
    if (note) {
      const t = (ms - note.fromMs) / (note.toMs - note.fromMs);
      const envelope = Math.sin(Math.PI * t); // fades in and out: no clicks
      value = AMPLITUDE * envelope * Math.sin((2 * Math.PI * note.hz * i) / RATE);
    }
    out[i] = mulawFromLinear(value);
  }
  return out;
}
