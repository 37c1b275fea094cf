/**
 * RFC 3550 RTP framing for ExternalMedia. Pure functions: parse never throws (malformed input is
 * `undefined`), build returns a new Buffer. We only speak what Asterisk's chan_rtp sends: no CSRC
 * lists or extensions of our own, but we skip theirs when parsing.
 */
export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
}

export interface RtpPacket extends RtpHeader {
  payload: Buffer;
}

const FIXED_HEADER_BYTES = 12;
const RTP_VERSION = 2;

/** Parses one datagram; `undefined` for anything that is not a well-formed RTP v2 packet. */
export function parseRtp(datagram: Buffer): RtpPacket | undefined {
  if (datagram.length < FIXED_HEADER_BYTES) return undefined;
  const first = datagram[0]!;
  if (first >> 6 !== RTP_VERSION) return undefined;
  const hasPadding = (first & 0x20) !== 0;
  const hasExtension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  let offset = FIXED_HEADER_BYTES + csrcCount * 4;
  if (hasExtension) {
    if (datagram.length < offset + 4) return undefined;
    offset += 4 + datagram.readUInt16BE(offset + 2) * 4;
  }
  let end = datagram.length;
  if (hasPadding) {
    const padding = datagram[datagram.length - 1]!;
    if (padding === 0) return undefined;
    end -= padding;
  }
  if (end < offset) return undefined;
  const second = datagram[1]!;
  const payloadType = second & 0x7f;
  // 72–76 collide with RTCP packet types (RFC 5761): an RTCP datagram on the RTP port is not audio.
  if (payloadType >= 72 && payloadType <= 76) return undefined;
  return {
    marker: (second & 0x80) !== 0,
    payloadType,
    sequence: datagram.readUInt16BE(2),
    timestamp: datagram.readUInt32BE(4),
    ssrc: datagram.readUInt32BE(8),
    payload: datagram.subarray(offset, end),
  };
}

/** Builds a packet with the 12-byte fixed header (V=2, no padding, extension or CSRCs). */
export function buildRtp(header: RtpHeader, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FIXED_HEADER_BYTES + payload.length);
  out[0] = RTP_VERSION << 6;
  out[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  out.writeUInt16BE(header.sequence & 0xffff, 2);
  out.writeUInt32BE(header.timestamp >>> 0, 4);
  out.writeUInt32BE(header.ssrc >>> 0, 8);
  payload.copy(out, FIXED_HEADER_BYTES);
  return out;
}

export interface RtpStreamState {
  payloadType: number;
  ssrc: number;
  sequence: number;
  timestamp: number;
  /** Set the marker on the next packet (first packet of a talkspurt). */
  markNext: boolean;
}

/** A fresh outgoing stream: random SSRC, sequence and timestamp start (RFC 3550 §5.1). */
export function newRtpStream(payloadType: number, random: () => number = Math.random): RtpStreamState {
  return {
    payloadType,
    ssrc: Math.floor(random() * 0x1_0000_0000) >>> 0,
    sequence: Math.floor(random() * 0x1_0000),
    timestamp: Math.floor(random() * 0x1_0000_0000) >>> 0,
    markNext: true,
  };
}

/**
 * Produces the next packet and the state after it. `samples` is the timestamp step (160 for
 * 20 ms of 8 kHz G.711); sequence wraps at 2^16, timestamp at 2^32.
 */
export function nextRtpPacket(
  state: RtpStreamState,
  payload: Buffer,
  samples: number,
): { packet: Buffer; state: RtpStreamState } {
  const packet = buildRtp(
    {
      marker: state.markNext,
      payloadType: state.payloadType,
      sequence: state.sequence,
      timestamp: state.timestamp,
      ssrc: state.ssrc,
    },
    payload,
  );
  return {
    packet,
    state: {
      ...state,
      sequence: (state.sequence + 1) & 0xffff,
      timestamp: (state.timestamp + samples) >>> 0,
      markNext: false,
    },
  };
}

/** After a gap in our audio the next packet starts a new talkspurt; the timestamp still advances. */
export function markGap(state: RtpStreamState, silentSamples: number): RtpStreamState {
  return { ...state, timestamp: (state.timestamp + silentSamples) >>> 0, markNext: true };
}
