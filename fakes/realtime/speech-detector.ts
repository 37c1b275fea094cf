/**
 * The fake agent's voice activity detector: speech is a level well above the noise floor, and
 * the floor follows whatever is steady. A constant tone, hum or noise (Chromium's fake
 * microphone, a fan) is absorbed into the floor and never counts as speech; speech keeps
 * dipping between syllables, which pulls the floor back down so the next syllable stands out.
 *
 * Pure state transitions over 20 ms frames of mean absolute amplitude (16-bit scale).
 */

export interface SpeechDetectorState {
  /** Estimated level of the background; undefined until the first frame. */
  floor: number | undefined;
  speaking: boolean;
  /** Consecutive loud milliseconds (while not speaking) or quiet ones (while speaking). */
  runMs: number;
}

export type SpeechEvent = 'speech_started' | 'speech_stopped';

export const FRAME_MS = 20;
/** Loud for this long starts speech; quiet for this long ends it (server VAD's silence_duration_ms). */
export const SPEECH_START_MS = 60;
export const SILENCE_STOP_MS = 500;
/** A frame is loud when its level exceeds floor × ratio + margin. */
const FLOOR_RATIO = 2;
const FLOOR_MARGIN = 150;
/** Per-frame smoothing: the floor drops fast to a quieter level and rises over about a second. */
const FLOOR_FALL = 0.5;
const FLOOR_RISE = 0.02;

export const initialSpeechDetector = (): SpeechDetectorState => ({
  floor: undefined,
  speaking: false,
  runMs: 0,
});

/** Whether a frame of `level` stands out from a background at `floor`. */
export const isLoud = (level: number, floor: number): boolean => level > floor * FLOOR_RATIO + FLOOR_MARGIN;

/** One 20 ms frame: the next state and the event it causes, if any. */
export function stepSpeechDetector(
  state: SpeechDetectorState,
  level: number,
): { state: SpeechDetectorState; event?: SpeechEvent } {
  // The first frame only sets the floor: whatever is there when the call starts is background.
  if (state.floor === undefined) return { state: { ...state, floor: level } };
  const loud = isLoud(level, state.floor);
  const floor = state.floor + (level - state.floor) * (level < state.floor ? FLOOR_FALL : FLOOR_RISE);
  if (!state.speaking) {
    const runMs = loud ? state.runMs + FRAME_MS : 0;
    if (runMs >= SPEECH_START_MS)
      return { state: { floor, speaking: true, runMs: 0 }, event: 'speech_started' };
    return { state: { floor, speaking: false, runMs } };
  }
  const runMs = loud ? 0 : state.runMs + FRAME_MS;
  if (runMs >= SILENCE_STOP_MS)
    return { state: { floor, speaking: false, runMs: 0 }, event: 'speech_stopped' };
  return { state: { floor, speaking: true, runMs } };
}
