import type { CallProvider, EndReason, TranscriptTurn } from '#shared/calls/call-types.ts';
import type { WarmTransferLine } from './transfer/warm-transfer-line.ts';

/**
 * The seam between a telephony transport (Twilio Media Streams, Asterisk RTP, browser WebSocket)
 * and the one `CallSession` that runs a call. A transport owns the caller-facing leg (its socket
 * or RTP port); the session owns everything else (model socket, timers, transcript, usage) and
 * calls `close()` on the transport exactly once when the call ends.
 *
 * Lifecycle:
 * 1. The transport authenticates the connection (Twilio and browser: a stream token, see
 *    `stream-admission.ts`; Asterisk: the call it originated or answered itself) and reserves a
 *    slot in the `SessionRegistry` (capacity `MEDIA_MAX_CALLS`, refused while draining).
 * 2. It calls `startCallSession({call, agent, transport, slot, deps})` (`start-call-session.ts`).
 *    The session calls `transport.attach(events)` once, before any other method.
 * 3. Caller audio, DTMF and playback progress flow in through `events`; agent audio flows out
 *    through `sendAgentAudio`. Either side may end the call: the transport by `events.closed`,
 *    the session by `hangUp()` (end the phone call at the provider) followed by `close()`.
 */

/**
 * Audio format on the caller leg, named as the realtime API names it, so the model session is
 * configured with the same format and audio passes through without transcoding.
 * Twilio and Asterisk: `audio/pcmu` (G.711 μ-law, 8 kHz). Browser: `audio/pcm` (PCM16 LE, 24 kHz).
 */
export type TransportAudioFormat =
  | { type: 'audio/pcmu' }
  | { type: 'audio/pcma' }
  | { type: 'audio/pcm'; rate: 24000 };

/** Bytes per millisecond of audio: 8 for G.711 at 8 kHz, 48 for PCM16 at 24 kHz. */
export function bytesPerMs(format: TransportAudioFormat): number {
  return format.type === 'audio/pcm' ? 48 : 8;
}

/** One chunk of agent audio as the model sent it. */
export interface AgentAudioChunk {
  base64: string;
  byteLength: number;
}

/** Decoded size of base64 text without decoding it. */
export function base64ByteLength(base64: string): number {
  const length = base64.length;
  if (length === 0) return 0;
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((length * 3) / 4) - padding;
}

/** Why the caller leg ended, as the transport saw it. */
export type TransportCloseReason =
  /** The caller hung up (Twilio `stop`, ARI StasisEnd, browser `end`). */
  | 'caller_hangup'
  /** The media connection broke without a clean end (socket error, abnormal close). */
  | 'media_error'
  /** The provider moved the call elsewhere (a completed transfer). */
  | 'transferred'
  /**
   * The leg dropped without a hang-up and the provider reconnects it to some media task (only
   * transports that are `resumable`): the session lets the call go instead of ending it.
   */
  | 'leg_lost';

/** What a transport reports to its session. Every callback is optional to fire, never to handle. */
export interface TransportEvents {
  /**
   * Caller audio in the transport's `audioFormat`, any size, in order: raw bytes, or base64 text
   * (Twilio's payload is already base64 and passes to the model without decoding).
   */
  callerAudio(audio: Buffer | string): void;
  /** One DTMF digit pressed by the caller (`0-9`, `*`, `#`, `A-D`). */
  dtmf(digit: string): void;
  /**
   * Playback progress: the caller has now heard `playedMs` of agent item `itemId` (Twilio: an
   * echoed mark; Asterisk: audio paced out to RTP; browser: a `playback` message). Monotonic per
   * item; reports for an item after `clearPlayback()` cut it are ignored by the session.
   */
  played(itemId: string, playedMs: number): void;
  /** The caller leg is gone. The session ends the call; the transport need not call close(). */
  closed(reason: TransportCloseReason, detail?: string): void;
}

export interface CallTransport {
  readonly provider: CallProvider;
  readonly audioFormat: TransportAudioFormat;
  /** Transport details to store on the call record (`call.media`), e.g. the Twilio stream sid. */
  readonly media: Record<string, unknown>;
  /**
   * The provider reconnects this leg to another media task when it ends without a hang-up
   * (Twilio's `<Connect action>`, the browser page with its resume token), so the call can be
   * handed over on draining and survive this task's death.
   */
  readonly resumable?: boolean;
  /**
   * Subscribes the session. Called exactly once, before any other method. Events the transport
   * received before (caller audio after `start`) are delivered in order right after, bounded.
   */
  attach(events: TransportEvents): void;
  /**
   * Queue agent audio of item `itemId` (in `audioFormat`) for playback, in order. The model sends
   * base64; Twilio forwards it as is, other transports decode (`Buffer.from(base64, 'base64')`).
   * `byteLength` is the decoded size.
   */
  sendAgentAudio(itemId: string, audio: AgentAudioChunk): void;
  /**
   * Barge-in: discard every queued, unplayed agent audio at once (Twilio `clear`). The session has
   * already taken the played position from `played` reports, so this returns nothing.
   */
  clearPlayback(): void;
  /** Ends the phone call at the provider (Twilio REST `completed`, ARI hangup, browser close). */
  hangUp(reason: EndReason): Promise<void>;
  /**
   * Cold transfer to an E.164 number (Twilio: call update with `<Dial>`; ARI: redirect/dial).
   * Absent when the transport cannot transfer (browser); the `transfer_call` tool is then hidden.
   */
  transfer?(to: string): Promise<void>;
  /**
   * Warm transfer: hold the caller, dial and brief a person, then connect them or bring the caller
   * back (see `transfer/warm-transfer-line.ts`). Absent where the transport cannot (browser).
   */
  readonly warm?: WarmTransferLine;
  /** Optional live view of the conversation (the browser shows captions): a turn as stored. */
  showTurn?(turn: TranscriptTurn): void;
  /**
   * Optional live captions while a turn is still being spoken or transcribed: text to append to
   * item `itemId` of `role`. The turn's `showTurn` later replaces it with what was stored (for the
   * agent, only what the caller heard).
   */
  showPartial?(role: 'caller' | 'agent', itemId: string, delta: string): void;
  /** Releases the caller leg (closes the socket / port). Idempotent; no provider REST calls. */
  close(reason: EndReason): void;
}
