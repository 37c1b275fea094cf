import WebSocket from 'ws';
import type { Logger } from '#shared/logging/logger.ts';
import { RtpPacer } from '../rtp-pacer.ts';
import { CHAN_WEBSOCKET_COMMAND, parseChanWebSocketText } from './chan-websocket.ts';

/** μ-law silence, used to pad the last short frame of an agent item. */
const ULAW_SILENCE = 0xff;
/** Asterisk answers the upgrade and sends MEDIA_START at once; far longer means it never will. */
const DEFAULT_OPEN_TIMEOUT_MS = 5_000;

export interface WebSocketMediaOptions {
  /** Asterisk's HTTP server (`ARI_URL`), e.g. `http://pbx:8088`; `/ari` at the end is ignored. */
  ariUrl: string;
  /** `MEDIA_WEBSOCKET_CONNECTION_ID` of the ExternalMedia channel. */
  connectionId: string;
  username: string;
  password: string;
  logger: Logger;
  onAudio(payload: Buffer): void;
  onPlayed(tag: string, playedMs: number): void;
  /** The socket closed without `close()` (Asterisk hung the media channel up, or the link broke). */
  onLost(detail: string): void;
  openTimeoutMs?: number;
  /** Bounded playout queue: 60 s by default. */
  maxQueuedFrames?: number;
}

export interface WebSocketMediaStats {
  framesIn: number;
  framesOut: number;
  framesDropped: number;
  /** Times Asterisk said its playback queue was full (MEDIA_XOFF). */
  xoff: number;
}

/** `http(s)://host:port[/ari]` → `ws(s)://host:port/media/<id>`. */
export function mediaSocketUrl(ariUrl: string, connectionId: string): string {
  const base = ariUrl.replace(/\/+$/, '').replace(/\/ari$/, '');
  return `${base.replace(/^http/, 'ws')}/media/${encodeURIComponent(connectionId)}`;
}

/**
 * The media half of an Asterisk call over chan_websocket: the app connects to Asterisk's
 * `/media/<id>` (sub-protocol `media`, ARI Basic auth) and exchanges binary μ-law frames. Asterisk
 * would re-time audio sent in bursts, but the playback position for barge-in must be what the
 * caller actually heard, so agent audio is paced out at real time here as it is for RTP, and a
 * barge-in flushes both our queue and Asterisk's (`FLUSH_MEDIA`).
 */
export class WebSocketMediaLeg {
  readonly stats: WebSocketMediaStats = { framesIn: 0, framesOut: 0, framesDropped: 0, xoff: 0 };
  readonly #socket: WebSocket;
  readonly #pacer: RtpPacer;
  readonly #options: WebSocketMediaOptions;
  readonly #playedFrames = new Map<string, number>();
  readonly #frameMs: number;
  #closed = false;

  private constructor(
    socket: WebSocket,
    options: WebSocketMediaOptions,
    frameBytes: number,
    frameMs: number,
  ) {
    this.#socket = socket;
    this.#options = options;
    this.#frameMs = frameMs;
    this.#pacer = new RtpPacer({
      frameBytes,
      frameMs,
      silenceByte: ULAW_SILENCE,
      maxQueuedFrames: options.maxQueuedFrames ?? 3_000,
      sendFrame: (frame, info) => this.#sendFrame(frame, info.tag),
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.stats.framesIn++;
        options.onAudio(Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]));
        return;
      }
      const event = parseChanWebSocketText(data.toString());
      if (event.kind === 'xoff') this.stats.xoff++;
    });
    socket.on('close', (code) => {
      if (this.#closed) return;
      this.#closed = true;
      this.#pacer.close();
      options.onLost(`media socket closed (${code})`);
    });
  }

  /** Connects and resolves once Asterisk sent MEDIA_START (the media channel then enters Stasis). */
  static open(options: WebSocketMediaOptions): Promise<WebSocketMediaLeg> {
    const auth = Buffer.from(`${options.username}:${options.password}`).toString('base64');
    const socket = new WebSocket(mediaSocketUrl(options.ariUrl, options.connectionId), 'media', {
      headers: { authorization: `Basic ${auth}` },
      handshakeTimeout: options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS,
      perMessageDeflate: false,
    });
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new Error('no MEDIA_START from Asterisk')),
        options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS,
      );
      socket.on('error', (error) => fail(error));
      socket.on('close', (code) => fail(new Error(`media socket closed before MEDIA_START (${code})`)));
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        const event = parseChanWebSocketText(data.toString());
        if (event.kind !== 'media_start') return;
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', (error) => options.logger.warn('asterisk media socket error', { err: error }));
        resolve(new WebSocketMediaLeg(socket, options, event.optimalFrameSize, event.ptimeMs));
      });
    });
  }

  /** Queues agent audio (μ-law bytes) of item `tag` for paced playback. */
  play(audio: Buffer, tag: string): void {
    this.#pacer.push(audio, tag);
    this.stats.framesDropped = this.#pacer.framesDropped;
  }

  /** Barge-in: drops our unplayed audio and what Asterisk still holds. */
  flush(): void {
    this.#pacer.flush();
    if (!this.#closed && this.#socket.readyState === WebSocket.OPEN) {
      this.#socket.send(CHAN_WEBSOCKET_COMMAND.flushMedia);
    }
  }

  /** Closes the socket; Asterisk then hangs the media channel up on its own. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pacer.close();
    if (this.#socket.readyState === WebSocket.OPEN || this.#socket.readyState === WebSocket.CONNECTING) {
      this.#socket.close(1000);
    }
  }

  #sendFrame(frame: Buffer, tag: string): void {
    if (this.#closed || this.#socket.readyState !== WebSocket.OPEN) return;
    this.#socket.send(frame, { binary: true });
    this.stats.framesOut++;
    const frames = (this.#playedFrames.get(tag) ?? 0) + 1;
    this.#playedFrames.set(tag, frames);
    this.#options.onPlayed(tag, frames * this.#frameMs);
  }
}
