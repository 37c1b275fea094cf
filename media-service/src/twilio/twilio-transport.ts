import type WebSocket from 'ws';
import type { EndReason } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { type TwilioRestConfig, updateTwilioCall } from '#shared/twilio/rest-client.ts';
import { escapeXml } from '#shared/twilio/twiml.ts';
import type {
  AgentAudioChunk,
  CallTransport,
  TransportAudioFormat,
  TransportEvents,
} from '../session/call-transport.ts';
import type { ConsultDesk } from './consult-desk.ts';
import { holdAudioPeriod } from './hold-audio.ts';
import { TwilioWarmLine } from './twilio-warm-transfer.ts';
import {
  clearFrame,
  markFrame,
  mediaFrame,
  parsePlaybackMark,
  playbackMarkName,
  type TwilioStart,
} from './twilio-frames.ts';

/** Caller frames kept until the session attaches (about 4 s of 20 ms frames). */
const MAX_EARLY_FRAMES = 200;

/**
 * The TCP socket under a `ws` WebSocket. `ws` has no public cork; its `_socket` field has been
 * stable across major versions, and without it frames are simply written one by one.
 */
function rawSocket(socket: WebSocket): { cork(): void; uncork(): void } | undefined {
  const raw = (socket as unknown as { _socket?: { cork?: unknown; uncork?: unknown } })._socket;
  return typeof raw?.cork === 'function' && typeof raw.uncork === 'function'
    ? (raw as { cork(): void; uncork(): void })
    : undefined;
}

/** Close codes for the Media Stream socket. */
export const TWILIO_CLOSE = { normal: 1000, goingAway: 1001, policy: 1008, tryAgainLater: 1013 } as const;

export interface TwilioTransportOptions {
  socket: WebSocket;
  start: TwilioStart;
  logger: Logger;
  /** Twilio REST for hang-up and transfer; absent locally, then closing the stream ends the call. */
  rest?: () => Promise<TwilioRestConfig | undefined>;
  /** For warm transfers: where consult streams are claimed, this service's stream URL, the token key. */
  warm?: { desk: ConsultDesk; streamUrl: string; signingKey: () => Promise<string> };
}

/** Hold audio is sent in real time in slices of this many ms (Twilio then never queues much of it). */
const HOLD_SLICE_MS = 100;
const HOLD_AUDIO = holdAudioPeriod();

/**
 * The caller leg of a Twilio Media Stream. μ-law passes both ways as base64 without decoding.
 * After each agent audio chunk a mark `${itemId}:${bytesSent}` follows; Twilio echoes it once
 * everything queued before it has played, which is the playout position barge-in needs.
 */
export class TwilioTransport implements CallTransport {
  readonly provider = 'twilio' as const;
  readonly audioFormat: TransportAudioFormat = { type: 'audio/pcmu' };
  /** Every stream's TwiML has `<Connect action>`: Twilio asks what next whenever the stream ends. */
  readonly resumable = true;
  readonly media: Record<string, unknown>;
  private readonly options: TwilioTransportOptions;
  private readonly streamSid: string;
  private events: TransportEvents | undefined;
  private readonly earlyFrames: ({ kind: 'audio'; payload: string } | { kind: 'dtmf'; digit: string })[] = [];
  private droppedEarlyFrames = 0;
  private sentBytes = 0;
  private currentItem = '';
  private ended = false;
  /** The caller is on hold: their audio and keys are not the agent's; hold audio plays to them. */
  private held = false;
  private holdTimer: NodeJS.Timeout | undefined;
  private holdOffset = 0;
  /** A warm transfer's person: agent audio goes to their stream while set. */
  private consult: { socket: WebSocket; streamSid: string } | undefined;
  /** A warm transfer moved the caller into a conference: the stream ends as `transferred`. */
  private handedOver = false;
  /** Set by `prepare()` when Twilio REST is configured and warm transfers are wired. */
  warm?: TwilioWarmLine;

  constructor(options: TwilioTransportOptions) {
    this.options = options;
    this.streamSid = options.start.streamSid;
    this.media = { streamSid: options.start.streamSid, callSid: options.start.callSid };
  }

  attach(events: TransportEvents): void {
    this.events = events;
    if (this.droppedEarlyFrames > 0) {
      this.options.logger.warn('caller audio dropped while the call was starting', {
        frames: this.droppedEarlyFrames,
      });
    }
    for (const frame of this.earlyFrames.splice(0)) {
      if (frame.kind === 'audio') events.callerAudio(frame.payload);
      else events.dtmf(frame.digit);
    }
  }

  /** Frames from the route's parser, after `start`. */
  callerAudio(payload: string): void {
    if (this.held) return;
    if (this.events) this.events.callerAudio(payload);
    else if (this.earlyFrames.length < MAX_EARLY_FRAMES) this.earlyFrames.push({ kind: 'audio', payload });
    else this.droppedEarlyFrames++;
  }

  dtmf(digit: string): void {
    if (this.held) return;
    if (this.events) this.events.dtmf(digit);
    else this.earlyFrames.push({ kind: 'dtmf', digit });
  }

  mark(name: string): void {
    const mark = parsePlaybackMark(name);
    if (mark) this.events?.played(mark.itemId, Math.floor(mark.sentBytes / 8));
  }

  stopped(): void {
    this.events?.closed(this.handedOver ? 'transferred' : 'caller_hangup', 'stop');
  }

  socketClosed(code: number): void {
    if (this.ended) return;
    if (this.handedOver) this.events?.closed('transferred', `socket_${code}`);
    // Without `stop` first, the stream broke rather than the call: Twilio requests the action URL.
    else this.events?.closed(code === 1000 ? 'caller_hangup' : 'leg_lost', `socket_${code}`);
  }

  sendAgentAudio(itemId: string, audio: AgentAudioChunk): void {
    if (this.ended) return;
    // On hold, the agent speaks only to the person of a warm transfer (the briefing).
    const target =
      this.consult ?? (this.held ? undefined : { socket: this.options.socket, streamSid: this.streamSid });
    if (!target) return;
    if (itemId !== this.currentItem) {
      this.currentItem = itemId;
      this.sentBytes = 0;
    }
    this.sentBytes += audio.byteLength;
    const { socket, streamSid } = target;
    if (socket.readyState !== socket.OPEN) return;
    // One write for the pair: socket writes are most of the audio path's CPU (profiled).
    const raw = rawSocket(socket);
    raw?.cork();
    socket.send(mediaFrame(streamSid, audio.base64));
    socket.send(markFrame(streamSid, playbackMarkName(itemId, this.sentBytes)));
    raw?.uncork();
  }

  clearPlayback(): void {
    if (this.ended) return;
    const target = this.consult ?? { socket: this.options.socket, streamSid: this.streamSid };
    if (target.socket.readyState === target.socket.OPEN) target.socket.send(clearFrame(target.streamSid));
    this.currentItem = '';
    this.sentBytes = 0;
  }

  async hangUp(reason: EndReason): Promise<void> {
    const rest = await this.options.rest?.();
    if (!rest || !this.options.start.callSid) return; // closing the stream ends <Connect>; nothing follows it
    this.options.logger.info('hanging up through Twilio', { reason });
    await updateTwilioCall(rest, this.options.start.callSid, { status: 'completed' });
  }

  /** Set by `prepare()` when Twilio REST is configured; the `transfer_call` tool needs it. */
  transfer?: (to: string) => Promise<void>;

  /** Resolves what this call can do at the provider before the session starts. */
  async prepare(call?: { id: string; tenantId: string; agentId: string }): Promise<void> {
    const rest = await this.options.rest?.();
    const callSid = this.options.start.callSid;
    if (!rest || !callSid) return;
    this.transfer = (to) => this.transferTo(to);
    const { warm } = this.options;
    if (!warm || !call) return;
    this.warm = new TwilioWarmLine({
      call,
      callSid,
      rest,
      signingKey: warm.signingKey,
      streamUrl: warm.streamUrl,
      desk: warm.desk,
      logger: this.options.logger,
      callerHeld: (held) => this.setHeld(held),
      consultStream: (stream) => {
        this.consult = stream;
        this.currentItem = '';
        this.sentBytes = 0;
      },
      consultMark: (name) => this.mark(name),
      handingOver: (active) => {
        this.handedOver = active;
      },
    });
  }

  private setHeld(held: boolean): void {
    if (this.held === held || this.ended) return;
    this.held = held;
    const { socket } = this.options;
    clearInterval(this.holdTimer);
    this.holdTimer = undefined;
    if (held) {
      const slice = HOLD_SLICE_MS * 8;
      const send = () => {
        if (socket.readyState !== socket.OPEN) return;
        const end = this.holdOffset + slice;
        // The period is a whole number of slices: a slice never wraps.
        const chunk = HOLD_AUDIO.subarray(this.holdOffset, end);
        this.holdOffset = end % HOLD_AUDIO.length;
        socket.send(mediaFrame(this.streamSid, chunk.toString('base64')));
      };
      send();
      this.holdTimer = setInterval(send, HOLD_SLICE_MS);
    } else if (socket.readyState === socket.OPEN) {
      // Back with the agent: drop whatever hold audio Twilio still has queued.
      socket.send(clearFrame(this.streamSid));
    }
  }

  private async transferTo(to: string): Promise<void> {
    const rest = await this.options.rest?.();
    if (!rest) throw new Error('Twilio REST credentials are required for a transfer.');
    const twiml = `<?xml version="1.0" encoding="UTF-8"?><Response><Dial>${escapeXml(to)}</Dial></Response>`;
    await updateTwilioCall(rest, this.options.start.callSid, { twiml });
  }

  close(reason: EndReason): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.holdTimer);
    this.warm?.dispose();
    const consult = this.consult?.socket;
    if (consult && consult.readyState === consult.OPEN) consult.close(TWILIO_CLOSE.normal, String(reason));
    const { socket } = this.options;
    if (socket.readyState === socket.OPEN) socket.close(TWILIO_CLOSE.normal, String(reason).slice(0, 100));
  }
}
