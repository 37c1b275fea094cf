/**
 * G.711 companding (ITU-T G.711): μ-law encode/decode and A-law decode, per sample. μ-law 0xFF
 * is silence (decodes to 0). Decoding goes through 256-entry tables built once.
 */
const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

/** Silence in μ-law. */
export const MULAW_SILENCE = 0xff;

/** One 16-bit linear sample to μ-law. */
export function linearToMulaw(sample: number): number {
  let value = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = value < 0 ? 0x80 : 0;
  if (sign) value = -value;
  if (value > MULAW_CLIP) value = MULAW_CLIP;
  value += MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (value & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (value >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function mulawToLinearSlow(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawToLinearSlow(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  let magnitude = ((a & 0x0f) << 4) + 8;
  if (exponent !== 0) magnitude = (magnitude + 0x100) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const MULAW_TABLE = Int16Array.from({ length: 256 }, (_, i) => mulawToLinearSlow(i));
const ALAW_TABLE = Int16Array.from({ length: 256 }, (_, i) => alawToLinearSlow(i));

export function mulawToLinear(byte: number): number {
  return MULAW_TABLE[byte & 0xff] as number;
}

export function alawToLinear(byte: number): number {
  return ALAW_TABLE[byte & 0xff] as number;
}

/** A-law bytes to μ-law bytes (same rate, one byte per sample). */
export function alawToMulaw(alaw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(alaw.length);
  for (let i = 0; i < alaw.length; i++) out[i] = linearToMulaw(alawToLinear(alaw[i] as number));
  return out;
}
