import { z } from 'zod';

/**
 * The browser call protocol on `/web?token=…` (documented in docs/browser-calls.md).
 *
 * Audio travels as binary WebSocket frames in both directions: PCM16 little-endian, mono, 24 kHz,
 * which is OpenAI's `audio/pcm` format, so the server relays it without resampling. Everything
 * else is a JSON text frame with a `type`. WebSocket frames keep their order, so a binary frame
 * belongs to the agent item named by the latest `agent.audio` message.
 */
export const WEB_AUDIO_FORMAT = { encoding: 'pcm16le', sampleRate: 24_000, channels: 1 } as const;

/** 24,000 samples/s × 2 bytes: 48 bytes per millisecond. */
export const PCM_BYTES_PER_MS = 48;

/** Largest frame a browser may send (one second of audio, or a control message). */
export const MAX_CLIENT_FRAME_BYTES = 48_000;

/** Close codes the page maps to messages; 4xxx mirror the HTTP status of the same meaning. */
export const WEB_CLOSE = {
  normal: { code: 1000, reason: 'call_ended' },
  internal: { code: 1011, reason: 'internal_error' },
  protocolError: { code: 4400, reason: 'protocol_error' },
  tokenInvalid: { code: 4401, reason: 'token_invalid' },
  callUnavailable: { code: 4404, reason: 'call_unavailable' },
  tokenUsed: { code: 4409, reason: 'token_used' },
  tokenExpired: { code: 4410, reason: 'token_expired' },
  unavailable: { code: 4503, reason: 'unavailable' },
  /** The call moves to another media task (this one is draining): reconnect with the resume token. */
  moved: { code: 4012, reason: 'reconnect' },
} as const;
export type WebCloseName = keyof typeof WEB_CLOSE;

const ItemId = z.string().min(1).max(128);
const Ms = z
  .number()
  .int()
  .min(0)
  .max(24 * 3600 * 1000);

const ClientMessageSchema = z.discriminatedUnion('type', [
  /** Playback progress: the caller has heard `playedMs` of the agent item (like a Twilio mark echo). */
  z.object({ type: z.literal('playback'), itemId: ItemId, playedMs: Ms }),
  /** Answer to `clear`: playback stopped after `playedMs` of the item. */
  z.object({ type: z.literal('cleared'), itemId: ItemId, playedMs: Ms }),
  /** The caller hung up. */
  z.object({ type: z.literal('end') }),
]);
export type ClientMessage = z.output<typeof ClientMessageSchema>;

export type ClientFrame =
  | { kind: 'audio'; pcm: Buffer }
  | { kind: 'message'; message: ClientMessage }
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; problem: string };

/**
 * Classifies one frame from the browser. Never throws: malformed input comes back as `invalid`
 * (the transport closes with `protocol_error`), and JSON messages of unknown types are `ignored`,
 * so newer pages keep working against older servers.
 */
export function parseClientFrame(data: Buffer, isBinary: boolean): ClientFrame {
  if (isBinary) {
    if (data.length % 2 !== 0) return { kind: 'invalid', problem: 'audio frames hold whole 16-bit samples' };
    return { kind: 'audio', pcm: data };
  }
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    return { kind: 'invalid', problem: 'text frames must be JSON' };
  }
  if (typeof json !== 'object' || json === null || typeof (json as { type?: unknown }).type !== 'string') {
    return { kind: 'invalid', problem: 'messages need a string "type"' };
  }
  const type = (json as { type: string }).type;
  if (!ClientMessageSchema.options.some((option) => option.shape.type.value === type)) {
    return { kind: 'ignored', type };
  }
  const parsed = ClientMessageSchema.safeParse(json);
  if (!parsed.success) return { kind: 'invalid', problem: `malformed "${type}" message` };
  return { kind: 'message', message: parsed.data };
}

export type TranscriptRole = 'caller' | 'agent';

/** JSON messages the server sends. */
export type ServerMessage =
  | {
      type: 'ready';
      callId: string;
      agentName: string;
      encoding: typeof WEB_AUDIO_FORMAT.encoding;
      sampleRate: number;
      channels: number;
    }
  | { type: 'agent.audio'; itemId: string }
  | { type: 'clear'; itemId: string }
  | { type: 'transcript.delta'; role: TranscriptRole; itemId: string; delta: string }
  | { type: 'transcript.done'; role: TranscriptRole; itemId: string; text: string; interrupted?: boolean }
  | { type: 'ping' }
  /** The latest resume token: after a dropped connection, reconnect with `/web?resume=<token>`. */
  | { type: 'resume'; token: string; expiresInMs: number }
  | { type: 'error'; code: string; message: string }
  | { type: 'ended'; reason: string };

export function encodeServerMessage(message: ServerMessage): string {
  return JSON.stringify(message);
}

/** Milliseconds of 24 kHz PCM16 audio in `bytes`. */
export function pcmBytesToMs(bytes: number): number {
  return Math.floor(bytes / PCM_BYTES_PER_MS);
}
