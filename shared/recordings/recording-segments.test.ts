import { describe, expect, it } from 'vitest';
import {
  recordingSegments,
  segmentOffsetSeconds,
  segmentParts,
  summarizeRecording,
} from './recording-segments.ts';
import { type CallRecording, type RecordingSegment, recordingKey } from './recording-types.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();

function seg(segment: number, fields: Partial<RecordingSegment> = {}): RecordingSegment {
  return {
    segment,
    status: 'ready',
    startedAt: at(segment * 10),
    bucket: 'b',
    key: `k${segment}`,
    durationSeconds: 10,
    bytes: 160_058,
    completedAt: at(segment * 10 + 10),
    expiresAt: `2026-01-0${segment + 2}T00:00:00.000Z`,
    ...fields,
  };
}

function rec(segments: RecordingSegment[], fields: Partial<CallRecording> = {}): CallRecording {
  return {
    status: 'recording',
    channels: 'dual',
    segments: Object.fromEntries(segments.map((s) => [String(s.segment), s])),
    ...fields,
  };
}

describe('recordingKey', () => {
  it.each([
    [0, 'recordings/t/c.wav'],
    [1, 'recordings/t/c-1.wav'],
    [12, 'recordings/t/c-12.wav'],
  ])('segment %i is %s (segment 0 keeps the unsegmented key)', (segment, key) => {
    expect(recordingKey('t', 'c', segment)).toBe(key);
  });
});

describe('summarizeRecording', () => {
  const failed = (n: number) =>
    seg(n, {
      status: 'failed',
      failure: 'media_task_lost',
      durationSeconds: undefined,
      bytes: undefined,
      completedAt: undefined,
      expiresAt: undefined,
    });
  const recording = (n: number) => seg(n, { status: 'recording', uploadId: 'u' });
  it.each([
    {
      name: 'one ready segment, call over',
      input: rec([seg(0)], { callOver: true }),
      ended: false,
      want: { status: 'ready', durationSeconds: 10, bytes: 160_058, announce: true },
    },
    {
      name: 'a segment still written: recording, nothing announced',
      input: rec([recording(0), seg(1)], { callOver: true }),
      ended: true,
      want: { status: 'recording', announce: false },
    },
    {
      name: 'both ready, call over: summed, latest expiry',
      input: rec([seg(0), seg(1, { durationSeconds: 4.25, bytes: 68_058 })], { callOver: true }),
      ended: false,
      want: {
        status: 'ready',
        durationSeconds: 14.25,
        bytes: 228_116,
        expiresAt: '2026-01-03T00:00:00.000Z',
        completedAt: at(20),
        announce: true,
      },
    },
    {
      name: 'all settled but the call goes on: ready, not announced yet',
      input: rec([seg(0)]),
      ended: false,
      want: { status: 'ready', announce: false },
    },
    {
      name: 'the call record ended (last task died too): announced',
      input: rec([seg(0)]),
      ended: true,
      want: { status: 'ready', announce: true },
    },
    {
      name: 'already announced: never again',
      input: rec([seg(0)], { callOver: true, readyAnnouncedAt: at(1) }),
      ended: true,
      want: { status: 'ready', announce: false },
    },
    {
      name: 'one failed among ready: ready with the gap listed',
      input: rec([failed(0), seg(1)], { callOver: true }),
      ended: false,
      want: { status: 'ready', durationSeconds: 10, failedSegments: [0], announce: true },
    },
    {
      name: 'every segment failed: failed with the first reason',
      input: rec([failed(0), failed(1)], { callOver: true }),
      ended: true,
      want: { status: 'failed', failure: 'media_task_lost', announce: false },
    },
  ])('$name', ({ input, ended, want }) => {
    const summary = summarizeRecording(input, { ended });
    expect(summary).toMatchObject(want);
    if (!('failedSegments' in want)) expect(summary).not.toHaveProperty('failedSegments');
  });

  it.each([
    ['no recording', undefined],
    ['a recording made before segments', { status: 'ready', key: 'k', bucket: 'b' } as CallRecording],
    ['a deleted recording', rec([seg(0)], { status: 'deleted' })],
    ['recording turned off', { status: 'off' } as CallRecording],
  ])('leaves %s alone', (_name, input) => {
    expect(summarizeRecording(input, { ended: true })).toBeUndefined();
  });
});

describe('recordingSegments', () => {
  it('orders segments by number, not by map order', () => {
    const input = rec([seg(2), seg(0), seg(1)]);
    expect(recordingSegments(input).map((s) => s.segment)).toEqual([0, 1, 2]);
  });

  it('reads a recording made before segments as its segment 0', () => {
    const legacy: CallRecording = {
      status: 'ready',
      bucket: 'b',
      key: 'recordings/t/c.wav',
      startedAt: at(0),
      durationSeconds: 5,
      bytes: 80_058,
      expiresAt: at(99),
    };
    expect(recordingSegments(legacy)).toEqual([
      {
        segment: 0,
        status: 'ready',
        startedAt: at(0),
        bucket: 'b',
        key: 'recordings/t/c.wav',
        durationSeconds: 5,
        bytes: 80_058,
        expiresAt: at(99),
      },
    ]);
    expect(recordingSegments({ status: 'off' })).toEqual([]);
  });

  it('gives parts in part order and offsets from the first segment', () => {
    const parts = {
      '2': { partNumber: 2, etag: 'b', bytes: 1 },
      '10': { partNumber: 10, etag: 'c', bytes: 1 },
      '1': { partNumber: 1, etag: 'a', bytes: 5 },
    };
    expect(segmentParts({ parts }).map((p) => p.partNumber)).toEqual([1, 2, 10]);
    expect(segmentOffsetSeconds(seg(0), seg(3))).toBe(30);
    expect(segmentOffsetSeconds(seg(0, { startedAt: '' }), seg(1))).toBe(0);
  });
});
