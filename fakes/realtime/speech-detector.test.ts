import { describe, expect, it } from 'vitest';
import { FRAME_MS, initialSpeechDetector, type SpeechEvent, stepSpeechDetector } from './speech-detector.ts';

/** Levels per 20 ms frame, built from segments of [level, ms] (a level function gets the frame index). */
type Segment = [level: number | ((frame: number) => number), ms: number];
function levels(...segments: Segment[]): number[] {
  const out: number[] = [];
  for (const [level, ms] of segments) {
    for (let i = 0; i < ms / FRAME_MS; i++) out.push(typeof level === 'function' ? level(i) : level);
  }
  return out;
}

/** Syllables: 180 ms at `level`, 80 ms near silence, on top of `floor`. */
const syllables =
  (level: number, floor = 20) =>
  (frame: number) =>
    frame % 13 < 9 ? level : floor;

/** Runs the detector and returns its events with the time (ms) of the frame that caused each. */
function run(frames: number[]): [SpeechEvent, number][] {
  let state = initialSpeechDetector();
  const events: [SpeechEvent, number][] = [];
  frames.forEach((level, i) => {
    const step = stepSpeechDetector(state, level);
    state = step.state;
    if (step.event) events.push([step.event, (i + 1) * FRAME_MS]);
  });
  return events;
}

describe('fake agent speech detector', () => {
  const cases: { name: string; frames: number[]; events: SpeechEvent[] }[] = [
    { name: 'silence', frames: levels([20, 5_000]), events: [] },
    { name: 'a constant tone from the start', frames: levels([4_000, 10_000]), events: [] },
    {
      name: 'constant noise with small ripple',
      frames: levels([(i) => 900 + (i % 3) * 60, 10_000]),
      events: [],
    },
    {
      name: 'speech after silence',
      frames: levels([20, 1_000], [syllables(3_000), 2_000], [20, 1_000]),
      events: ['speech_started', 'speech_stopped'],
    },
    {
      name: 'speech over a steady hum',
      frames: levels([1_000, 2_000], [syllables(4_000, 1_000), 2_000], [1_000, 2_000]),
      events: ['speech_started', 'speech_stopped'],
    },
    {
      name: 'two turns with a pause between',
      frames: levels(
        [20, 500],
        [syllables(3_000), 1_000],
        [20, 1_000],
        [syllables(3_000), 1_000],
        [20, 1_000],
      ),
      events: ['speech_started', 'speech_stopped', 'speech_started', 'speech_stopped'],
    },
    {
      name: 'a click shorter than the start time',
      frames: levels([20, 500], [5_000, 40], [20, 1_000]),
      events: [],
    },
  ];
  it.each(cases)('$name', ({ frames, events }) => {
    expect(run(frames).map(([event]) => event)).toEqual(events);
  });

  it('a tone that starts mid-call ends as speech within two seconds and never starts again', () => {
    const events = run(levels([20, 1_000], [4_000, 20_000]));
    expect(events.map(([event]) => event)).toEqual(['speech_started', 'speech_stopped']);
    expect((events[1]?.[1] ?? 0) - 1_000).toBeLessThan(2_000);
  });

  it('speech lasts as long as the syllables do, then 500 ms of silence', () => {
    const events = run(levels([20, 1_000], [syllables(3_000), 3_000], [20, 2_000]));
    expect(events[0]?.[1]).toBeLessThanOrEqual(1_000 + 60);
    expect(events[1]?.[1]).toBeGreaterThanOrEqual(4_000);
    expect(events[1]?.[1]).toBeLessThanOrEqual(4_000 + 600);
  });
});
