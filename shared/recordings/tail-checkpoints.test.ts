import { describe, expect, it } from 'vitest';
import type { RecordingCheckpoint, RecordingPart } from './recording-types.ts';
import { checkpointKey, sweepPlan } from './tail-checkpoints.ts';

const part = (partNumber: number): RecordingPart => ({ partNumber, etag: `"e${partNumber}"`, bytes: 100 });
const cp = (partNumber: number, seq: number, from: number, to: number): RecordingCheckpoint => ({
  partNumber,
  seq,
  from,
  to,
});

describe('sweepPlan', () => {
  it.each([
    { name: 'nothing uploaded, nothing checkpointed', parts: [], checkpoints: [], full: [], tail: undefined },
    {
      name: 'no full part: the tail is part 1, from its start (the header)',
      parts: [],
      checkpoints: [cp(1, 1, 10, 25), cp(1, 0, 0, 10)],
      full: [],
      tail: { partNumber: 1, seqs: [0, 1], bytes: 25 },
    },
    {
      name: 'full parts, then the checkpoints of the next part',
      parts: [part(2), part(1)],
      checkpoints: [cp(3, 0, 0, 8), cp(3, 1, 8, 16), cp(3, 2, 16, 20)],
      full: [1, 2],
      tail: { partNumber: 3, seqs: [0, 1, 2], bytes: 20 },
    },
    {
      name: 'checkpoints of parts already uploaded are left out',
      parts: [part(1)],
      checkpoints: [cp(1, 0, 0, 10), cp(1, 1, 10, 20), cp(2, 0, 0, 5)],
      full: [1],
      tail: { partNumber: 2, seqs: [0], bytes: 5 },
    },
    {
      name: 'a missing sequence number ends the tail',
      parts: [part(1)],
      checkpoints: [cp(2, 0, 0, 5), cp(2, 1, 5, 9), cp(2, 3, 13, 20)],
      full: [1],
      tail: { partNumber: 2, seqs: [0, 1], bytes: 9 },
    },
    {
      name: 'a checkpoint not starting where the previous ended ends the tail',
      parts: [part(1)],
      checkpoints: [cp(2, 0, 0, 5), cp(2, 1, 6, 9)],
      full: [1],
      tail: { partNumber: 2, seqs: [0], bytes: 5 },
    },
    {
      name: 'a first checkpoint not at the part start gives no tail',
      parts: [part(1)],
      checkpoints: [cp(2, 0, 3, 9)],
      full: [1],
      tail: undefined,
    },
    {
      name: 'an empty checkpoint ends the tail',
      parts: [],
      checkpoints: [cp(1, 0, 0, 70), cp(1, 1, 70, 70), cp(1, 2, 70, 90)],
      full: [],
      tail: { partNumber: 1, seqs: [0], bytes: 70 },
    },
    {
      name: 'a part missing in the middle: parts stop before it and its checkpoints are the tail',
      parts: [part(1), part(3)],
      checkpoints: [cp(2, 0, 0, 7), cp(4, 0, 0, 9)],
      full: [1],
      tail: { partNumber: 2, seqs: [0], bytes: 7 },
    },
    {
      name: 'full parts and no checkpoint of the next part: no tail',
      parts: [part(1), part(2)],
      checkpoints: [cp(2, 0, 0, 7)],
      full: [1, 2],
      tail: undefined,
    },
  ])('$name', ({ parts, checkpoints, full, tail }) => {
    const plan = sweepPlan(parts, checkpoints);
    expect(plan.parts.map((p) => p.partNumber)).toEqual(full);
    expect(
      plan.tail && {
        partNumber: plan.tail.partNumber,
        seqs: plan.tail.checkpoints.map((c) => c.seq),
        bytes: plan.tail.bytes,
      },
    ).toEqual(tail);
  });

  it('keys checkpoint objects under the segment key', () => {
    expect(checkpointKey('recordings/t1/c1-2.wav', { partNumber: 3, seq: 12 })).toBe(
      'recordings/t1/c1-2.wav.tail/3-12',
    );
  });
});
