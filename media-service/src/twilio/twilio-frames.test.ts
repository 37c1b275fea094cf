import { describe, expect, it } from 'vitest';
import {
  clearFrame,
  markFrame,
  mediaFrame,
  parsePlaybackMark,
  parseTwilioFrame,
  playbackMarkName,
  type TwilioFrame,
} from './twilio-frames.ts';

const start = {
  event: 'start',
  sequenceNumber: '1',
  streamSid: 'MZ123',
  start: {
    streamSid: 'MZ123',
    accountSid: 'AC1',
    callSid: 'CA1',
    tracks: ['inbound'],
    customParameters: { token: 'st1.x.y', callId: 'call_1', ignored: 5 },
    mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
  },
};

describe('parseTwilioFrame', () => {
  const cases: [string, string, TwilioFrame][] = [
    ['connected', '{"event":"connected","protocol":"Call","version":"1.0.0"}', { event: 'connected' }],
    [
      'start',
      JSON.stringify(start),
      {
        event: 'start',
        start: {
          streamSid: 'MZ123',
          callSid: 'CA1',
          accountSid: 'AC1',
          customParameters: { token: 'st1.x.y', callId: 'call_1' },
          encoding: 'audio/x-mulaw',
          sampleRate: 8000,
        },
      },
    ],
    [
      'media',
      '{"event":"media","sequenceNumber":"3","streamSid":"MZ1","media":{"track":"inbound","chunk":"2","timestamp":"20","payload":"//79/A=="}}',
      { event: 'media', track: 'inbound', payload: '//79/A==' },
    ],
    [
      'mark echo',
      '{"event":"mark","streamSid":"MZ1","mark":{"name":"item_1:800"}}',
      { event: 'mark', name: 'item_1:800' },
    ],
    [
      'dtmf',
      '{"event":"dtmf","streamSid":"MZ1","dtmf":{"track":"inbound_track","digit":"#"}}',
      { event: 'dtmf', digit: '#' },
    ],
    [
      'stop',
      '{"event":"stop","streamSid":"MZ1","stop":{"accountSid":"AC1","callSid":"CA1"}}',
      { event: 'stop' },
    ],
    ['unknown event', '{"event":"fancy_new_thing"}', { event: 'ignored', type: 'fancy_new_thing' }],
    ['not JSON', 'hello', { event: 'invalid', problem: 'not JSON' }],
    ['array', '[1]', { event: 'invalid', problem: 'no string "event"' }],
    ['no event', '{"streamSid":"MZ1"}', { event: 'invalid', problem: 'no string "event"' }],
    [
      'media without payload',
      '{"event":"media","media":{}}',
      { event: 'invalid', problem: 'media without a string payload' },
    ],
    [
      'media not base64',
      '{"event":"media","media":{"payload":"abc"}}',
      { event: 'invalid', problem: 'media payload is not base64' },
    ],
    [
      'start without object',
      '{"event":"start"}',
      { event: 'invalid', problem: 'start without "start" object' },
    ],
    [
      'start without sid',
      '{"event":"start","start":{}}',
      { event: 'invalid', problem: 'start without streamSid' },
    ],
    ['mark without name', '{"event":"mark","mark":{}}', { event: 'invalid', problem: 'mark without a name' }],
    [
      'dtmf bad digit',
      '{"event":"dtmf","dtmf":{"digit":"12"}}',
      { event: 'invalid', problem: 'dtmf without a valid digit' },
    ],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(parseTwilioFrame(text)).toEqual(expected);
  });
});

describe('outbound frames', () => {
  it('media carries the base64 payload untouched, with the stream sid', () => {
    expect(JSON.parse(mediaFrame('MZ1', '//79/A=='))).toEqual({
      event: 'media',
      streamSid: 'MZ1',
      media: { payload: '//79/A==' },
    });
  });
  it('mark and clear', () => {
    expect(JSON.parse(markFrame('MZ1', 'item_1:160'))).toEqual({
      event: 'mark',
      streamSid: 'MZ1',
      mark: { name: 'item_1:160' },
    });
    expect(JSON.parse(clearFrame('MZ1'))).toEqual({ event: 'clear', streamSid: 'MZ1' });
  });
  it.each([
    ['item_1:800', { itemId: 'item_1', sentBytes: 800 }],
    ['a:b:16', { itemId: 'a:b', sentBytes: 16 }],
    ['item_1:-3', undefined],
    ['item_1:x', undefined],
    [':5', undefined],
    ['nomark', undefined],
  ])('parsePlaybackMark(%s)', (name, expected) => {
    expect(parsePlaybackMark(name)).toEqual(expected);
  });
  it('mark names round-trip', () => {
    expect(parsePlaybackMark(playbackMarkName('item_Z', 4000))).toEqual({
      itemId: 'item_Z',
      sentBytes: 4000,
    });
  });
});
