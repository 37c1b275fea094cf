import { describe, expect, it } from 'vitest';
import { parseChanWebSocketText } from './chan-websocket.ts';

describe('parseChanWebSocketText', () => {
  it.each([
    [
      'the MEDIA_START line recorded on Asterisk 22.10.1',
      'MEDIA_START connection_id:b8f98dbf-1561-4ae9-8cb1-4faf17d98d84 channel:WebSocket/INCOMING/0x7f6a380145a0 channel_id:1796354550.13 format:ulaw optimal_frame_size:160 ptime:20',
      {
        kind: 'media_start',
        connectionId: 'b8f98dbf-1561-4ae9-8cb1-4faf17d98d84',
        channel: 'WebSocket/INCOMING/0x7f6a380145a0',
        channelId: '1796354550.13',
        format: 'ulaw',
        optimalFrameSize: 160,
        ptimeMs: 20,
      },
    ],
    [
      'a MEDIA_START without sizes (older builds) defaults to 20 ms of μ-law',
      'MEDIA_START connection_id:x channel:WebSocket/x/0x1 format:ulaw',
      {
        kind: 'media_start',
        connectionId: 'x',
        channel: 'WebSocket/x/0x1',
        channelId: '',
        format: 'ulaw',
        optimalFrameSize: 160,
        ptimeMs: 20,
      },
    ],
    ['flow control off', 'MEDIA_XOFF', { kind: 'xoff' }],
    ['flow control on', 'MEDIA_XON\n', { kind: 'xon' }],
    [
      'a status line it does not act on',
      'STATUS queue_length:3 xon_level:400',
      { kind: 'other', name: 'STATUS', fields: { queue_length: '3', xon_level: '400' } },
    ],
    ['an empty line', '', { kind: 'other', name: '', fields: {} }],
  ])('%s', (_name, text, expected) => {
    expect(parseChanWebSocketText(text)).toEqual(expected);
  });
});
