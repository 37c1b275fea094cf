import type { EndReason } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type {
  AgentAudioChunk,
  CallTransport,
  TransportCloseReason,
  TransportEvents,
} from '../session/call-transport.ts';
import type { AriRest } from './ari-rest.ts';
import { AsteriskWarmLine, type ConsultRouting } from './asterisk-warm-transfer.ts';
import { RtpLeg } from './rtp-leg.ts';
import type { RtpPortLease } from './rtp-port-pool.ts';
import type { WebSocketMediaLeg } from './websocket-media/websocket-media-leg.ts';

/** Caller audio held until the session attaches: 1 s of 20 ms packets. */
const MAX_EARLY_PACKETS = 50;

export interface AsteriskCallIds {
  callId: string;
  callerChannelId: string;
  bridgeId: string;
  externalChannelId: string;
}

/** What both media legs (RTP, chan_websocket) report to the transport. */
export interface CallerMediaEvents {
  onAudio(payload: Buffer): void;
  onPlayed(tag: string, playedMs: number): void;
  /** The media leg broke on its own (chan_websocket socket closed by Asterisk). */
  onLost(detail: string): void;
}

export interface AsteriskCallTransportOptions {
  ids: AsteriskCallIds;
  /** The UDP port of an RTP call; absent for WebSocket media. */
  lease?: RtpPortLease;
  rest: AriRest;
  logger: Logger;
  /** Dialplan context a cold transfer continues in, with the E.164 number as extension. */
  transferContext: string;
  /**
   * Per-call mode with call resume: when this task lets the call go (its control connection
   * dropped, or a drain hands it over) Asterisk reconnects the caller's control connection to
   * another task, which takes the call over; `detach` closes that connection on purpose.
   */
  control?: { resumable: boolean; detach(): void };
  /** For warm transfers: our app, the dial string template, and the event router of consult channels. */
  warm?: {
    app: string;
    endpointTemplate: string;
    routing: ConsultRouting;
    holdBridgeId: string;
    consultChannelPrefix: string;
  };
}

/**
 * One Asterisk call as a `CallTransport`: the caller's channel in a mixing bridge with an
 * ExternalMedia channel whose audio this object sends and receives, as RTP on its leased UDP port
 * or over a chan_websocket media socket.
 * `close()` releases the bridge, the ExternalMedia channel and the port exactly once, whatever
 * ended the call; it hangs up the caller too unless the caller is already gone or transferred.
 */
export class AsteriskCallTransport implements CallTransport {
  readonly provider = 'asterisk' as const;
  readonly audioFormat = { type: 'audio/pcmu' as const };
  readonly ids: AsteriskCallIds;
  readonly #options: AsteriskCallTransportOptions;
  #leg: RtpLeg | WebSocketMediaLeg | undefined;
  #events: TransportEvents | undefined;
  #early: Buffer[] = [];
  #earlyClose: { reason: TransportCloseReason; detail?: string } | undefined;
  #callerGone = false;
  #transferred = false;
  /** Caller and person were connected by a warm transfer: their bridge outlives this transport. */
  #handedOver = false;
  /** The caller is on hold: their audio and keys do not reach the agent. */
  #held = false;
  #closedReported = false;
  #closed = false;
  #asteriskRtp: string | undefined;
  /** Settles when every release request has been answered (tests and shutdown wait on it). */
  released: Promise<void> = Promise.resolve();
  /** Resolves when `close()` has run. */
  readonly whenClosed: Promise<void>;
  /** Resolves when the caller leg ended or the transport closed: set-up stops waiting then. */
  readonly whenEnded: Promise<void>;
  #resolveClosed: () => void = () => undefined;
  #resolveEnded: () => void = () => undefined;

  readonly warm?: AsteriskWarmLine;

  get resumable(): boolean {
    return this.#options.control?.resumable ?? false;
  }

  constructor(options: AsteriskCallTransportOptions) {
    this.#options = options;
    this.ids = options.ids;
    if (options.warm) {
      this.warm = new AsteriskWarmLine({
        ...options.warm,
        callId: options.ids.callId,
        callerChannelId: options.ids.callerChannelId,
        bridgeId: options.ids.bridgeId,
        externalChannelId: options.ids.externalChannelId,
        rest: options.rest,
        logger: options.logger,
        callerHeld: (held) => {
          this.#held = held;
          if (held) this.#leg?.flush();
        },
        handingOver: (active) => {
          this.#handedOver = active;
        },
      });
    }
    this.whenClosed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.whenEnded = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  get media(): Record<string, unknown> {
    const { lease } = this.#options;
    return {
      asterisk: {
        callerChannelId: this.ids.callerChannelId,
        bridgeId: this.ids.bridgeId,
        externalChannelId: this.ids.externalChannelId,
        media: lease ? 'rtp' : 'websocket',
        ...(lease ? { rtpPort: lease.port } : {}),
        ...(this.#asteriskRtp ? { asteriskRtp: this.#asteriskRtp } : {}),
      },
    };
  }

  get rtpStats() {
    return this.#leg instanceof RtpLeg ? this.#leg.stats : undefined;
  }

  /** Frame counts of a chan_websocket media leg. */
  get webSocketStats() {
    return this.#leg && !(this.#leg instanceof RtpLeg) ? this.#leg.stats : undefined;
  }

  /** Callbacks for a media leg built outside (chan_websocket), then handed over with `useLeg`. */
  get mediaEvents(): CallerMediaEvents {
    return {
      onAudio: (payload) => {
        // On hold for a warm transfer: the caller hears music and the model hears nothing.
        if (this.#held) return;
        if (this.#events) this.#events.callerAudio(Buffer.from(payload));
        else if (this.#early.length < MAX_EARLY_PACKETS) this.#early.push(Buffer.from(payload));
      },
      onPlayed: (itemId, playedMs) => this.#events?.played(itemId, playedMs),
      onLost: (detail) => this.callerLeft('media_error', detail),
    };
  }

  /** Takes over a connected chan_websocket leg (closed at once if the call already ended). */
  useLeg(leg: WebSocketMediaLeg): void {
    if (this.#closed || this.#leg) {
      leg.close();
      return;
    }
    this.#leg = leg;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  get callerHasLeft(): boolean {
    return this.#callerGone || this.#earlyClose !== undefined || this.#closedReported;
  }

  /** Starts RTP both ways with Asterisk's socket for this call (UNICASTRTP_LOCAL_ADDRESS/PORT). */
  connectMedia(remote: { address: string; port: number }): void {
    const { lease } = this.#options;
    if (this.#closed || this.#leg || !lease) return;
    this.#asteriskRtp = `${remote.address}:${remote.port}`;
    const events = this.mediaEvents;
    this.#leg = new RtpLeg({ lease, remote, onAudio: events.onAudio, onPlayed: events.onPlayed });
  }

  attach(events: TransportEvents): void {
    if (this.#events) return;
    this.#events = events;
    for (const audio of this.#early.splice(0)) events.callerAudio(audio);
    if (this.#earlyClose) this.#reportClosed(this.#earlyClose.reason, this.#earlyClose.detail);
  }

  sendAgentAudio(itemId: string, audio: AgentAudioChunk): void {
    this.#leg?.play(Buffer.from(audio.base64, 'base64'), itemId);
  }

  clearPlayback(): void {
    this.#leg?.flush();
  }

  async hangUp(reason: EndReason): Promise<void> {
    if (this.#callerGone || this.#transferred || this.#handedOver) return;
    this.#callerGone = true;
    await this.#options.rest
      .hangup(this.ids.callerChannelId, 'normal')
      .catch((err) => this.#releaseFailed('caller hangup', err, reason));
  }

  /** Cold transfer: the caller leaves our app and continues in the dialplan to `to`. */
  async transfer(to: string): Promise<void> {
    if (this.#callerGone) return;
    this.#transferred = true;
    this.#leg?.flush();
    await this.#options.rest.continueInDialplan(this.ids.callerChannelId, {
      context: this.#options.transferContext,
      extension: to,
      priority: 1,
    });
  }

  /** A DTMF digit from the caller's channel (ARI ChannelDtmfReceived). */
  dtmf(digit: string): void {
    if (!this.#held) this.#events?.dtmf(digit);
  }

  /** The caller's channel left our app (StasisEnd, hang-up request, destroyed) or media broke. */
  callerLeft(reason: TransportCloseReason, detail?: string): void {
    if (reason !== 'media_error') this.#callerGone = true;
    this.#resolveEnded();
    this.#reportClosed(this.#transferred || this.#handedOver ? 'transferred' : reason, detail);
  }

  close(reason: EndReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#leg?.close();
    this.#options.lease?.release();
    const { rest } = this.#options;
    const releases = [
      rest
        .hangup(this.ids.externalChannelId)
        .catch((err) => this.#releaseFailed('external channel', err, reason)),
    ];
    if (this.resumable && (reason === 'leg_lost' || reason === 'handover')) {
      // Let go for another task: caller and bridge stay up for it; only our media channel goes.
      // The control connection closes once the media channel's hang-up was answered over it.
      this.released = Promise.all(releases).then(() => {
        if (reason === 'handover') this.#options.control?.detach();
      });
      this.#resolveEnded();
      this.#resolveClosed();
      return;
    }
    // After a warm hand-over the bridge holds caller and person; it goes when one of them hangs up.
    if (!this.#handedOver) {
      releases.push(
        rest.destroyBridge(this.ids.bridgeId).catch((err) => this.#releaseFailed('bridge', err, reason)),
      );
    }
    if (this.warm?.holdBridgeCreated && this.#options.warm) {
      const holdBridgeId = this.#options.warm.holdBridgeId;
      releases.push(
        rest.destroyBridge(holdBridgeId).catch((err) => this.#releaseFailed('holding bridge', err, reason)),
      );
    }
    if (!this.#callerGone && !this.#transferred && !this.#handedOver) {
      this.#callerGone = true;
      releases.push(
        rest.hangup(this.ids.callerChannelId).catch((err) => this.#releaseFailed('caller', err, reason)),
      );
    }
    this.released = Promise.all(releases).then(() => undefined);
    this.#resolveEnded();
    this.#resolveClosed();
  }

  #reportClosed(reason: TransportCloseReason, detail?: string): void {
    if (!this.#events) {
      this.#earlyClose ??= { reason, detail };
      return;
    }
    if (this.#closedReported) return;
    this.#closedReported = true;
    this.#events.closed(reason, detail);
  }

  #releaseFailed(what: string, err: unknown, reason: EndReason): void {
    // Already gone is the goal; anything else is left for start-up cleanup (tagged ids).
    if ((err as { kind?: string }).kind === 'not_found') return;
    this.#options.logger.warn('asterisk release failed', { what, callId: this.ids.callId, reason, err });
  }
}
