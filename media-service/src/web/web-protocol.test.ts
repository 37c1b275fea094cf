import { describe, expect, it } from 'vitest';
import { encodeServerMessage, parseClientFrame, pcmBytesToMs, WEB_CLOSE } from './web-protocol.ts';

const text = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseClientFrame', () => {
  it('passes binary frames through as audio without copying', () => {
    const pcm = Buffer.from([0x01, 0x00, 0xff, 0x7f]);
    const frame = parseClientFrame(pcm, true);
    expect(frame).toEqual({ kind: 'audio', pcm });
    expect(frame.kind === 'audio' && frame.pcm).toBe(pcm);
  });

  const cases: [string, Buffer, boolean, unknown][] = [
    [
      'playback progress',
      text({ type: 'playback', itemId: 'item_1', playedMs: 1234 }),
      false,
      { kind: 'message', message: { type: 'playback', itemId: 'item_1', playedMs: 1234 } },
    ],
    [
      'the answer to clear',
      text({ type: 'cleared', itemId: 'item_1', playedMs: 0 }),
      false,
      { kind: 'message', message: { type: 'cleared', itemId: 'item_1', playedMs: 0 } },
    ],
    ['hang-up', text({ type: 'end' }), false, { kind: 'message', message: { type: 'end' } }],
    [
      'an unknown message type (newer page)',
      text({ type: 'mute', on: true }),
      false,
      { kind: 'ignored', type: 'mute' },
    ],
    [
      'an odd number of audio bytes',
      Buffer.from([1, 2, 3]),
      true,
      { kind: 'invalid', problem: 'audio frames hold whole 16-bit samples' },
    ],
    ['text that is not JSON', text('hello'), false, { kind: 'invalid', problem: 'text frames must be JSON' }],
    [
      'JSON without a type',
      text({ itemId: 'x' }),
      false,
      { kind: 'invalid', problem: 'messages need a string "type"' },
    ],
    ['a JSON array', text([1, 2]), false, { kind: 'invalid', problem: 'messages need a string "type"' }],
    ['JSON null', text('null'), false, { kind: 'invalid', problem: 'messages need a string "type"' }],
    [
      'negative played ms',
      text({ type: 'playback', itemId: 'item_1', playedMs: -5 }),
      false,
      { kind: 'invalid', problem: 'malformed "playback" message' },
    ],
    [
      'fractional played ms',
      text({ type: 'playback', itemId: 'item_1', playedMs: 1.5 }),
      false,
      { kind: 'invalid', problem: 'malformed "playback" message' },
    ],
    [
      'a missing item id',
      text({ type: 'cleared', playedMs: 20 }),
      false,
      { kind: 'invalid', problem: 'malformed "cleared" message' },
    ],
  ];
  for (const [name, data, isBinary, expected] of cases) {
    it(`classifies ${name}`, () => {
      expect(parseClientFrame(data, isBinary)).toEqual(expected);
    });
  }
});

describe('server messages and constants', () => {
  it('encodes messages as one JSON text frame each', () => {
    expect(JSON.parse(encodeServerMessage({ type: 'clear', itemId: 'item_9' }))).toEqual({
      type: 'clear',
      itemId: 'item_9',
    });
  });

  it('converts 24 kHz PCM16 byte counts to whole milliseconds (48 bytes per ms)', () => {
    expect([0, 47, 48, 960, 48_000].map(pcmBytesToMs)).toEqual([0, 0, 1, 20, 1000]);
  });

  it('uses distinct application close codes that mirror HTTP statuses', () => {
    const codes = Object.values(WEB_CLOSE).map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(WEB_CLOSE.tokenExpired).toEqual({ code: 4410, reason: 'token_expired' });
    for (const { code } of Object.values(WEB_CLOSE)) {
      expect(code === 1000 || code === 1011 || (code >= 4000 && code <= 4999)).toBe(true);
    }
  });
});
