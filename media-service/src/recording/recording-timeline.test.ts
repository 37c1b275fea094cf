import { describe, expect, it } from 'vitest';
import { RecordingTimeline } from './recording-timeline.ts';

type Step = ['caller', number] | ['agent', string, number] | ['cut', string, number] | ['settle', number];

function run(steps: Step[]): RecordingTimeline {
  const timeline = new RecordingTimeline();
  for (const step of steps) {
    if (step[0] === 'caller') timeline.addCaller(step[1]);
    else if (step[0] === 'agent') timeline.placeAgent(step[1], step[2]);
    else if (step[0] === 'cut') timeline.cut(step[1], step[2]);
    else timeline.settle(step[1]);
  }
  return timeline;
}

describe('recording timeline', () => {
  it.each<{ name: string; steps: Step[]; agent: [number, number][]; lead: number }>([
    {
      name: 'agent audio sent before the caller spoke starts at zero, chunks back to back',
      steps: [
        ['agent', 'a1', 800],
        ['agent', 'a1', 800],
      ],
      agent: [[0, 1600]],
      lead: 1600,
    },
    {
      name: 'agent audio sent after a pause starts at the caller clock',
      steps: [
        ['caller', 4000],
        ['agent', 'a1', 800],
      ],
      agent: [[4000, 4800]],
      lead: 800,
    },
    {
      name: 'a reply queued behind unplayed audio follows it',
      steps: [
        ['agent', 'a1', 8000],
        ['caller', 1000],
        ['agent', 'a2', 800],
      ],
      agent: [[0, 8800]],
      lead: 7800,
    },
    {
      name: 'a gap of silence between two replies',
      steps: [
        ['agent', 'a1', 800],
        ['caller', 2000],
        ['agent', 'a2', 800],
      ],
      agent: [
        [0, 800],
        [2000, 2800],
      ],
      lead: 800,
    },
    {
      name: 'a barge-in cuts the item where the caller stopped hearing it',
      steps: [
        ['caller', 800],
        ['agent', 'a1', 4000],
        ['caller', 3200],
        ['cut', 'a1', 250],
      ],
      agent: [[800, 2800]],
      lead: 0,
    },
    {
      name: 'audio after a cut starts at the caller clock, not at the cut',
      steps: [
        ['agent', 'a1', 8000],
        ['caller', 2000],
        ['cut', 'a1', 100],
        ['caller', 1000],
        ['agent', 'a2', 400],
      ],
      agent: [
        [0, 800],
        [3000, 3400],
      ],
      lead: 400,
    },
    {
      name: 'a cut of an unknown item changes nothing',
      steps: [
        ['agent', 'a1', 800],
        ['cut', 'zz', 0],
      ],
      agent: [[0, 800]],
      lead: 800,
    },
    {
      name: 'a cut cannot reach back before what was already written out',
      steps: [
        ['agent', 'a1', 8000],
        ['caller', 6000],
        ['settle', 5000],
        ['cut', 'a1', 100],
      ],
      agent: [],
      lead: 0,
    },
  ])('$name', ({ steps, agent, lead }) => {
    const timeline = run(steps);
    const expected = agent.filter(([start, end]) => end > start).map(([start, end]) => ({ start, end }));
    expect(timeline.agentWithin(0, 1e9)).toEqual(expected);
    expect(timeline.agentLead).toBe(lead);
  });

  it('clips agent audio to a window and forgets what was settled', () => {
    const timeline = run([
      ['agent', 'a1', 800],
      ['caller', 2000],
      ['agent', 'a2', 800],
    ]);
    expect(timeline.agentWithin(400, 2400)).toEqual([
      { start: 400, end: 800 },
      { start: 2000, end: 2400 },
    ]);
    timeline.settle(1000);
    expect(timeline.agentWithin(0, 1e9)).toEqual([{ start: 2000, end: 2800 }]);
  });
});
