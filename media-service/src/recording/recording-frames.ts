import { linearToMulaw, MULAW_SILENCE, mulawToLinear } from './g711.ts';

/**
 * Frames of a recording: 8 kHz μ-law samples of the caller and of the agent, time-aligned, turned
 * into the WAV's `data` bytes. Dual: two channels interleaved (left = caller, right = agent).
 * Mono: both mixed into one channel (summed in the linear domain, clipped).
 */
export function interleave(caller: Buffer, agent: Buffer): Buffer {
  if (caller.length !== agent.length) throw new Error('tracks must be the same length');
  const out = Buffer.allocUnsafe(caller.length * 2);
  for (let i = 0; i < caller.length; i++) {
    out[2 * i] = caller[i] as number;
    out[2 * i + 1] = agent[i] as number;
  }
  return out;
}

export function mix(caller: Buffer, agent: Buffer): Buffer {
  if (caller.length !== agent.length) throw new Error('tracks must be the same length');
  const out = Buffer.allocUnsafe(caller.length);
  for (let i = 0; i < caller.length; i++) {
    const a = agent[i] as number;
    const c = caller[i] as number;
    // Where only one side speaks the other is silence: pass the byte through untouched.
    out[i] =
      a === MULAW_SILENCE ? c : c === MULAW_SILENCE ? a : linearToMulaw(mulawToLinear(c) + mulawToLinear(a));
  }
  return out;
}

/** Splits interleaved dual-channel bytes back into the two tracks (tests, tooling). */
export function deinterleave(data: Buffer): { left: Buffer; right: Buffer } {
  const frames = Math.floor(data.length / 2);
  const left = Buffer.allocUnsafe(frames);
  const right = Buffer.allocUnsafe(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = data[2 * i] as number;
    right[i] = data[2 * i + 1] as number;
  }
  return { left, right };
}
