import { describe, expect, it } from 'vitest';
import { loadRecording } from '../../../test/fixtures/asterisk-22/recordings.ts';
import { buildRtp, markGap, newRtpStream, nextRtpPacket, parseRtp } from './rtp-packet.ts';

const recorded = loadRecording('ari-ulaw').rtpReceived.map((p) => Buffer.from(p.hex, 'hex'));

describe('parseRtp', () => {
  it.each([
    { index: 0, sequence: 0x5cf1, timestamp: 160 },
    { index: 1, sequence: 0x5cf2, timestamp: 320 },
    { index: 2, sequence: 0x5cf3, timestamp: 480 },
  ])('reads packet $index that Asterisk 22 sent', ({ index, sequence, timestamp }) => {
    const packet = parseRtp(recorded[index]!);
    expect(packet).toMatchObject({ marker: false, payloadType: 0, sequence, timestamp, ssrc: 0x6a06b06d });
    expect(packet?.payload.length).toBe(160);
  });

  it('reads every recorded packet as ulaw with 160-sample steps and consecutive sequence numbers', () => {
    const packets = recorded.map((datagram) => parseRtp(datagram)!);
    for (let i = 1; i < packets.length; i++) {
      expect(packets[i]!.sequence).toBe((packets[i - 1]!.sequence + 1) & 0xffff);
      expect(packets[i]!.timestamp - packets[i - 1]!.timestamp).toBe(160);
    }
  });

  const valid = recorded[0]!;
  it.each([
    ['empty datagram', Buffer.alloc(0)],
    ['shorter than the fixed header', valid.subarray(0, 11)],
    ['version 1', Buffer.concat([Buffer.from([0x40]), valid.subarray(1)])],
    ['version 0 (STUN-like)', Buffer.from('000100002112a442000000000000000000000000', 'hex')],
    ['CSRC count beyond the datagram', Buffer.concat([Buffer.from([0x8f]), valid.subarray(1, 20)])],
    ['extension header beyond the datagram', Buffer.concat([Buffer.from([0x90]), valid.subarray(1, 13)])],
    [
      'padding longer than the packet',
      Buffer.concat([Buffer.from([0xa0]), valid.subarray(1, 12), Buffer.from([0xff])]),
    ],
    ['zero padding count', Buffer.concat([Buffer.from([0xa0]), valid.subarray(1, 20), Buffer.from([0])])],
    ['RTCP sender report', Buffer.from('80c8000600000001000000000000000000000000000000000000', 'hex')],
    ['text', Buffer.from('GET / HTTP/1.1\r\n\r\n')],
  ])('rejects %s', (_name, datagram) => {
    expect(parseRtp(datagram)).toBeUndefined();
  });

  it('skips CSRCs, a header extension and padding', () => {
    const payload = Buffer.from([1, 2, 3, 4]);
    const datagram = Buffer.concat([
      Buffer.from([0xb1, 0x80, 0x00, 0x07, 0, 0, 0, 9, 0, 0, 0, 5]),
      Buffer.from([0xde, 0xad, 0xbe, 0xef]), // one CSRC
      Buffer.from([0xbe, 0xde, 0x00, 0x01, 1, 2, 3, 4]), // extension with one word
      payload,
      Buffer.from([0, 0, 3]), // three bytes of padding
    ]);
    expect(parseRtp(datagram)).toEqual({
      marker: true,
      payloadType: 0,
      sequence: 7,
      timestamp: 9,
      ssrc: 5,
      payload,
    });
  });
});

describe('buildRtp', () => {
  it('reproduces a recorded Asterisk packet byte for byte', () => {
    const parsed = parseRtp(recorded[5]!)!;
    expect(buildRtp(parsed, parsed.payload).equals(recorded[5]!)).toBe(true);
  });

  it.each([
    {
      marker: true,
      payloadType: 0,
      sequence: 0xffff,
      timestamp: 0xffffffff,
      ssrc: 1,
      hex: '8080ffffffffffff00000001',
    },
    {
      marker: false,
      payloadType: 8,
      sequence: 1,
      timestamp: 160,
      ssrc: 0xfedcba98,
      hex: '80080001000000a0fedcba98',
    },
  ])('writes header $hex', ({ hex, ...header }) => {
    const out = buildRtp(header, Buffer.alloc(0));
    expect(out.toString('hex')).toBe(hex);
    expect(parseRtp(Buffer.concat([out, Buffer.alloc(1)]))).toMatchObject(header);
  });
});

describe('outgoing stream', () => {
  it('marks the first packet, steps 160 samples and wraps sequence and timestamp', () => {
    let state = { ...newRtpStream(0, () => 0.5), sequence: 0xffff, timestamp: 0xffffff60 };
    const frame = Buffer.alloc(160, 0xff);
    const first = nextRtpPacket(state, frame, 160);
    state = first.state;
    const second = nextRtpPacket(state, frame, 160);
    const a = parseRtp(first.packet)!;
    const b = parseRtp(second.packet)!;
    expect([a.marker, a.sequence, a.timestamp]).toEqual([true, 0xffff, 0xffffff60]);
    expect([b.marker, b.sequence, b.timestamp]).toEqual([false, 0, 0]);
    expect(a.ssrc).toBe(0x80000000);
  });

  it('marks the packet after a gap and advances the timestamp over the silence', () => {
    const start = newRtpStream(0, () => 0);
    const after = nextRtpPacket(start, Buffer.alloc(160), 160).state;
    const resumed = nextRtpPacket(markGap(after, 800), Buffer.alloc(160), 160);
    expect(parseRtp(resumed.packet)).toMatchObject({ marker: true, sequence: 1, timestamp: 960 });
  });
});
