/**
 * Twilio Media Streams wire format (bidirectional `<Connect><Stream>`), as pure functions.
 * Every frame is JSON text; counters are strings. Frames of unknown events are `ignored`
 * (Twilio may add events), malformed ones come back `invalid` with the problem, never thrown.
 */

export interface TwilioStart {
  streamSid: string;
  callSid: string;
  accountSid: string;
  customParameters: Record<string, string>;
  encoding: string;
  sampleRate: number;
}

export type TwilioFrame =
  | { event: 'connected' }
  | { event: 'start'; start: TwilioStart }
  /** `payload`: base64 μ-law exactly as Twilio sent it (never decoded on the hot path). */
  | { event: 'media'; track: string; payload: string }
  | { event: 'mark'; name: string }
  | { event: 'dtmf'; digit: string }
  | { event: 'stop' }
  | { event: 'ignored'; type: string }
  | { event: 'invalid'; problem: string };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const DTMF_DIGIT = /^[0-9*#A-D]$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parseStart(frame: Json): TwilioFrame {
  const start = frame.start;
  if (!isObject(start)) return { event: 'invalid', problem: 'start without "start" object' };
  const streamSid = start.streamSid ?? frame.streamSid;
  if (typeof streamSid !== 'string' || !streamSid)
    return { event: 'invalid', problem: 'start without streamSid' };
  const custom = isObject(start.customParameters) ? start.customParameters : {};
  const customParameters: Record<string, string> = {};
  for (const [key, value] of Object.entries(custom))
    if (typeof value === 'string') customParameters[key] = value;
  const format = isObject(start.mediaFormat) ? start.mediaFormat : {};
  return {
    event: 'start',
    start: {
      streamSid,
      callSid: typeof start.callSid === 'string' ? start.callSid : '',
      accountSid: typeof start.accountSid === 'string' ? start.accountSid : '',
      customParameters,
      encoding: typeof format.encoding === 'string' ? format.encoding : 'audio/x-mulaw',
      sampleRate: typeof format.sampleRate === 'number' ? format.sampleRate : 8000,
    },
  };
}

/** Classifies one text frame received from Twilio. */
export function parseTwilioFrame(text: string): TwilioFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { event: 'invalid', problem: 'not JSON' };
  }
  if (!isObject(frame) || typeof frame.event !== 'string')
    return { event: 'invalid', problem: 'no string "event"' };
  switch (frame.event) {
    case 'connected':
      return { event: 'connected' };
    case 'start':
      return parseStart(frame);
    case 'media': {
      const media = frame.media;
      if (!isObject(media) || typeof media.payload !== 'string') {
        return { event: 'invalid', problem: 'media without a string payload' };
      }
      // A length check, not a regex, on the hot path: Twilio's payloads are well-formed; the
      // model rejects bad base64 on its side without harming the call.
      if (media.payload.length % 4 !== 0) return { event: 'invalid', problem: 'media payload is not base64' };
      return {
        event: 'media',
        track: typeof media.track === 'string' ? media.track : 'inbound',
        payload: media.payload,
      };
    }
    case 'mark': {
      const mark = frame.mark;
      if (!isObject(mark) || typeof mark.name !== 'string')
        return { event: 'invalid', problem: 'mark without a name' };
      return { event: 'mark', name: mark.name };
    }
    case 'dtmf': {
      const dtmf = frame.dtmf;
      if (!isObject(dtmf) || typeof dtmf.digit !== 'string' || !DTMF_DIGIT.test(dtmf.digit)) {
        return { event: 'invalid', problem: 'dtmf without a valid digit' };
      }
      return { event: 'dtmf', digit: dtmf.digit };
    }
    case 'stop':
      return { event: 'stop' };
    default:
      return { event: 'ignored', type: frame.event };
  }
}

/** Whether `text` is plausible base64 (used by tests and the fake client, not the hot path). */
export const isBase64 = (text: string): boolean => text.length % 4 === 0 && BASE64.test(text);

// Outbound frames are built as strings: the payload is already base64 and ids are Twilio sids
// or our own mark names (no characters that need JSON escaping beyond what JSON.stringify adds).

/** Agent audio for playback: base64 raw μ-law, 8 kHz mono, no header. */
export function mediaFrame(streamSid: string, base64Payload: string): string {
  return `{"event":"media","streamSid":${JSON.stringify(streamSid)},"media":{"payload":"${base64Payload}"}}`;
}

/** Twilio echoes a mark once all audio queued before it has played. */
export function markFrame(streamSid: string, name: string): string {
  return JSON.stringify({ event: 'mark', streamSid, mark: { name } });
}

/** Discards all queued, unplayed audio at once. */
export function clearFrame(streamSid: string): string {
  return JSON.stringify({ event: 'clear', streamSid });
}

/** Mark names carry the playout position: `${itemId}:${bytesSentSoFar}`. */
export function playbackMarkName(itemId: string, sentBytes: number): string {
  return `${itemId}:${sentBytes}`;
}

/** Reads a playback mark back; undefined for marks that are not ours. */
export function parsePlaybackMark(name: string): { itemId: string; sentBytes: number } | undefined {
  const at = name.lastIndexOf(':');
  if (at <= 0) return undefined;
  const sentBytes = Number(name.slice(at + 1));
  if (!Number.isSafeInteger(sentBytes) || sentBytes < 0) return undefined;
  return { itemId: name.slice(0, at), sentBytes };
}
