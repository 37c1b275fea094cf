import { describe, expect, it } from 'vitest';
import { loadRecording } from '../../../test/fixtures/asterisk-22/recordings.ts';
import { isExternalMediaChannel, parseAriEvent, statusForUnansweredCause } from './ari-events.ts';

const recorded = loadRecording('ari-ulaw').events.map((e) => e.event);

describe('parseAriEvent', () => {
  it('reads every event of a recorded call without throwing, keeping the ones we act on', () => {
    const parsed = recorded.map((event) => parseAriEvent(JSON.stringify(event)));
    expect(parsed.map((p) => (p?.type === 'other' ? `other:${p.name}` : p?.type))).toEqual(
      recorded.map((e) =>
        [
          'StasisStart',
          'StasisEnd',
          'ChannelStateChange',
          'ChannelHangupRequest',
          'ChannelDestroyed',
        ].includes(e.type)
          ? e.type
          : `other:${e.type}`,
      ),
    );
  });

  it('reads the caller StasisStart as Asterisk 22 sends it', () => {
    expect(parseAriEvent(JSON.stringify(recorded[0]))).toEqual({
      type: 'StasisStart',
      args: ['inbound', '15550009999'],
      channel: {
        id: '1795317872.1',
        name: 'Local/15550009999@ari-test-00000000;2',
        state: 'Ring',
        caller: { name: 'Test Caller', number: '5557654321' },
        dialplan: { context: 'ari-test', exten: '15550009999' },
      },
    });
  });

  it('tells the ExternalMedia channel from a caller', () => {
    const starts = recorded
      .filter((e) => e.type === 'StasisStart')
      .map((e) => parseAriEvent(JSON.stringify(e)));
    expect(starts.map((s) => s?.type === 'StasisStart' && isExternalMediaChannel(s.channel))).toEqual([
      false,
      true,
    ]);
  });

  it.each([
    ['not JSON', '{"type":'],
    ['no type', '{"channel":{}}'],
    ['an array', '[1,2]'],
    ['a number type', '{"type":5}'],
  ])('returns undefined for %s', (_name, text) => {
    expect(parseAriEvent(text)).toBeUndefined();
  });

  it.each([
    [
      'an unknown event type',
      { type: 'ChannelFutureThing', channel: { id: 'x', name: 'y' } },
      'ChannelFutureThing',
    ],
    ['StasisStart without a channel', { type: 'StasisStart', args: [] }, 'StasisStart'],
    [
      'DTMF without a digit',
      { type: 'ChannelDtmfReceived', channel: { id: 'x', name: 'y' } },
      'ChannelDtmfReceived',
    ],
  ])('keeps %s as other', (_name, event, name) => {
    expect(parseAriEvent(JSON.stringify(event))).toEqual({ type: 'other', name });
  });

  it('reads DTMF and hang-up causes', () => {
    const channel = { id: 'c1', name: 'PJSIP/trunk-1', state: 'Up', caller: { name: '', number: '' } };
    expect(
      parseAriEvent(JSON.stringify({ type: 'ChannelDtmfReceived', channel, digit: '#', duration_ms: 90 })),
    ).toMatchObject({ digit: '#', durationMs: 90 });
    expect(
      parseAriEvent(JSON.stringify({ type: 'ChannelDestroyed', channel, cause: 17, cause_txt: 'User busy' })),
    ).toMatchObject({ cause: 17, causeText: 'User busy' });
  });
});

describe('statusForUnansweredCause', () => {
  it.each([
    [17, 'busy'],
    [19, 'no_answer'],
    [18, 'no_answer'],
    [21, 'failed'],
    [34, 'failed'],
    [16, 'canceled'],
  ] as const)('cause %i → %s', (cause, status) => {
    expect(statusForUnansweredCause(cause)).toBe(status);
  });
});
