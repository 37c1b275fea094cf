import type { RemoteInfo } from 'node:dgram';
import type { RtpPortLease } from './rtp-port-pool.ts';
import { markGap, newRtpStream, nextRtpPacket, parseRtp, type RtpStreamState } from './rtp-packet.ts';
import { RtpPacer } from './rtp-pacer.ts';

/** G.711 μ-law over RTP: static payload type 0, 8 kHz, 160 bytes per 20 ms (RFC 3551). */
export const PCMU = { payloadType: 0, frameBytes: 160, frameMs: 20, samplesPerFrame: 160, silenceByte: 0xff };

export interface RtpLegOptions {
  lease: RtpPortLease;
  /** Asterisk's RTP socket for this call (UNICASTRTP_LOCAL_ADDRESS/PORT): the only accepted source. */
  remote: { address: string; port: number };
  /** Caller audio, one RTP payload at a time, in arrival order. */
  onAudio(payload: Buffer): void;
  /** The caller has now heard `playedMs` of agent item `tag` (frames actually sent × 20). */
  onPlayed(tag: string, playedMs: number): void;
  /** Bounded playout queue: 60 s by default. */
  maxQueuedFrames?: number;
}

export interface RtpLegStats {
  packetsIn: number;
  packetsOut: number;
  /** Datagrams from another source, malformed, or of another payload type. */
  ignored: number;
  framesDropped: number;
}

/**
 * The media half of one Asterisk call: receives Asterisk's RTP on the leased socket and sends
 * paced RTP back from the same socket (chan_rtp's strict RTP may drop packets from any other
 * source port). Everything that is not well-formed μ-law RTP from Asterisk's address is ignored.
 */
export class RtpLeg {
  readonly #options: RtpLegOptions;
  readonly #pacer: RtpPacer;
  readonly #playedFrames = new Map<string, number>();
  #stream: RtpStreamState = newRtpStream(PCMU.payloadType);
  #closed = false;
  readonly stats: RtpLegStats = { packetsIn: 0, packetsOut: 0, ignored: 0, framesDropped: 0 };

  constructor(options: RtpLegOptions) {
    this.#options = options;
    this.#pacer = new RtpPacer({
      ...PCMU,
      maxQueuedFrames: options.maxQueuedFrames ?? 3_000,
      sendFrame: (frame, info) => this.#sendFrame(frame, info),
    });
    options.lease.socket.on('message', this.#onDatagram);
  }

  get port(): number {
    return this.#options.lease.port;
  }

  /** Queues agent audio (μ-law bytes) of item `tag` for paced playback. */
  play(audio: Buffer, tag: string): void {
    this.#pacer.push(audio, tag);
    this.stats.framesDropped = this.#pacer.framesDropped;
  }

  /** Barge-in: drops all unplayed audio; what was sent stays counted. */
  flush(): void {
    this.#pacer.flush();
  }

  get queuedFrames(): number {
    return this.#pacer.queuedFrames;
  }

  /** Stops both directions. The port itself is released by whoever holds the lease. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pacer.close();
    this.#options.lease.socket.off('message', this.#onDatagram);
  }

  #onDatagram = (datagram: Buffer, from: RemoteInfo): void => {
    const { remote } = this.#options;
    if (from.port !== remote.port || from.address !== remote.address) {
      this.stats.ignored++;
      return;
    }
    const packet = parseRtp(datagram);
    if (!packet || packet.payloadType !== PCMU.payloadType || packet.payload.length === 0) {
      this.stats.ignored++;
      return;
    }
    this.stats.packetsIn++;
    this.#options.onAudio(packet.payload);
  };

  #sendFrame(frame: Buffer, info: { tag: string; startsTalkspurt: boolean; idleMs: number }): void {
    if (this.#closed) return;
    if (info.startsTalkspurt) {
      // RFC 3550: the timestamp keeps running through silence; the marker flags the new talkspurt.
      const silentFrames = Math.max(0, Math.round((info.idleMs - PCMU.frameMs) / PCMU.frameMs));
      this.#stream = markGap(this.#stream, silentFrames * PCMU.samplesPerFrame);
    }
    const { packet, state } = nextRtpPacket(this.#stream, frame, PCMU.samplesPerFrame);
    this.#stream = state;
    const { remote, lease } = this.#options;
    lease.socket.send(packet, remote.port, remote.address);
    this.stats.packetsOut++;
    const frames = (this.#playedFrames.get(info.tag) ?? 0) + 1;
    this.#playedFrames.set(info.tag, frames);
    this.#options.onPlayed(info.tag, frames * PCMU.frameMs);
  }
}
