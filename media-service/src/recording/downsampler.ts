import { linearToMulaw } from './g711.ts';

/** Browser audio (PCM16 LE at 24 kHz) to the recordings' 8 kHz: one output sample per three. */
const FACTOR = 3;
const TAPS = 31;
/** Low-pass below the 4 kHz Nyquist of the output, so nothing above it folds back as noise. */
const CUTOFF_HZ = 3600;
const INPUT_RATE = 24_000;

/** Windowed-sinc (Hamming) low-pass taps, normalised to unity gain at DC. */
function lowPassTaps(): Float64Array {
  const taps = new Float64Array(TAPS);
  const fc = CUTOFF_HZ / INPUT_RATE;
  const middle = (TAPS - 1) / 2;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const n = i - middle;
    const sinc = n === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * n) / (Math.PI * n);
    const window = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (TAPS - 1));
    taps[i] = sinc * window;
    sum += taps[i] as number;
  }
  for (let i = 0; i < TAPS; i++) taps[i] = (taps[i] as number) / sum;
  return taps;
}

const LOW_PASS = lowPassTaps();

/**
 * A stream of PCM16 LE 24 kHz chunks to 8 kHz μ-law, filtered and decimated. Chunks may split
 * samples or filter windows anywhere: the output is the same as for one whole buffer. State is
 * the filter's history (31 samples) and an odd byte, so a call's converter stays tiny.
 */
export class Pcm24kToMulaw8k {
  private readonly history = new Float64Array(TAPS);
  /** Next write position in the circular history. */
  private head = 0;
  /** Input samples seen, modulo FACTOR: which one produces the next output. */
  private phase = 0;
  private oddByte: number | undefined;

  convert(pcm: Buffer): Buffer {
    let bytes = pcm;
    if (this.oddByte !== undefined) {
      bytes = Buffer.concat([Buffer.of(this.oddByte), pcm]);
      this.oddByte = undefined;
    }
    const samples = Math.floor(bytes.length / 2);
    if (bytes.length % 2) this.oddByte = bytes[bytes.length - 1];
    const out = Buffer.allocUnsafe(Math.ceil((samples + this.phase) / FACTOR));
    let written = 0;
    for (let s = 0; s < samples; s++) {
      this.history[this.head] = bytes.readInt16LE(2 * s);
      this.head = (this.head + 1) % TAPS;
      this.phase = (this.phase + 1) % FACTOR;
      if (this.phase !== 0) continue;
      let acc = 0;
      for (let t = 0; t < TAPS; t++)
        acc += (LOW_PASS[t] as number) * (this.history[(this.head + t) % TAPS] as number);
      out[written++] = linearToMulaw(acc);
    }
    return out.subarray(0, written);
  }
}
