import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

/**
 * Plays Twilio's side of a bidirectional Media Stream (`<Connect><Stream>`): the exact JSON frames
 * Twilio sends (`connected`, `start`, 20 ms `media`, `dtmf`, `stop`; counters as strings) and
 * Twilio's playback behaviour for what the service sends back: agent `media` is queued for
 * playout, a `mark` is echoed once everything queued before it has played, and `clear` drops
 * the queue and returns the outstanding marks at once.
 */

export interface TwilioStreamClientOptions {
  /** The `<Stream url>` from the TwiML. */
  url: string;
  /** The `<Parameter>`s from the TwiML; they arrive as `start.customParameters`. */
  customParameters: Record<string, string>;
  callSid?: string;
  accountSid?: string;
  /**
   * `playout` echoes marks when the queued audio would have finished playing (what Twilio does);
   * `immediate` echoes at once (load tests, where the playout clock adds nothing).
   */
  markEcho?: 'playout' | 'immediate';
  /** Agent audio as it arrives: base64 μ-law exactly as sent. */
  onMedia?: (payload: string) => void;
  onMark?: (name: string) => void;
  onClear?: () => void;
  onClose?: (code: number, reason: string) => void;
}

export interface TwilioStreamClient {
  readonly streamSid: string;
  readonly callSid: string;
  /** Sends `connected` and `start`. */
  start(): void;
  /** Sends one caller `media` frame (base64 μ-law, normally 160 bytes = 20 ms). */
  sendMedia(payload: string): void;
  sendDtmf(digit: string): void;
  /** Sends `stop` (the caller hung up) and closes the socket. */
  stop(): Promise<void>;
  /** Resolves when the socket is closed by either side. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** `performance.now()` at which the agent audio received so far has finished playing. */
  readonly playingUntil: number;
  /** Marks the service sent that have not been echoed yet. */
  pendingMarks(): number;
}

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

/** Opens the WebSocket; resolves once it is open (rejects if the service refuses the upgrade). */
export async function connectTwilioStream(options: TwilioStreamClientOptions): Promise<TwilioStreamClient> {
  const socket = new WebSocket(options.url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`The media service refused the stream: HTTP ${res.statusCode}`)),
    );
  });

  const streamSid = sid('MZ');
  const callSid = options.callSid ?? sid('CA');
  const accountSid = options.accountSid ?? sid('AC');
  const markEcho = options.markEcho ?? 'playout';
  let sequence = 0;
  let chunk = 0;
  /** When the audio queued so far finishes playing (ms, performance clock). */
  let playoutEndsAt = 0;
  const pendingTimers = new Map<NodeJS.Timeout, string>();

  const send = (frame: string) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(frame);
  };
  const echoMark = (name: string) => {
    send(JSON.stringify({ event: 'mark', sequenceNumber: String(++sequence), streamSid, mark: { name } }));
    options.onMark?.(name);
  };

  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    let frame: { event?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (frame.event === 'media' && typeof frame.media?.payload === 'string') {
      const now = performance.now();
      // base64 length → bytes → ms at 8 bytes per ms (μ-law 8 kHz).
      const ms = (frame.media.payload.length * 3) / 4 / 8;
      playoutEndsAt = Math.max(playoutEndsAt, now) + ms;
      options.onMedia?.(frame.media.payload);
    } else if (frame.event === 'mark' && typeof frame.mark?.name === 'string') {
      const name = frame.mark.name;
      const wait = playoutEndsAt - performance.now();
      if (markEcho === 'immediate' || wait <= 0) {
        echoMark(name);
      } else {
        const timer = setTimeout(() => {
          pendingTimers.delete(timer);
          echoMark(name);
        }, wait);
        pendingTimers.set(timer, name);
      }
    } else if (frame.event === 'clear') {
      playoutEndsAt = 0;
      for (const [timer, name] of pendingTimers) {
        clearTimeout(timer);
        echoMark(name);
      }
      pendingTimers.clear();
      options.onClear?.();
    }
  });

  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => {
      for (const timer of pendingTimers.keys()) clearTimeout(timer);
      pendingTimers.clear();
      options.onClose?.(code, reason.toString());
      resolve({ code, reason: reason.toString() });
    });
  });
  socket.on('error', () => undefined);

  return {
    streamSid,
    callSid,
    closed,
    get playingUntil() {
      return playoutEndsAt;
    },
    start() {
      send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
      send(
        JSON.stringify({
          event: 'start',
          sequenceNumber: String(++sequence),
          start: {
            accountSid,
            streamSid,
            callSid,
            tracks: ['inbound'],
            mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
            customParameters: options.customParameters,
          },
          streamSid,
        }),
      );
    },
    sendMedia(payload) {
      chunk += 1;
      // Built as a string like the service's own hot path: no object per frame.
      send(
        `{"event":"media","sequenceNumber":"${++sequence}","media":{"track":"inbound","chunk":"${chunk}","timestamp":"${(chunk - 1) * 20}","payload":"${payload}"},"streamSid":"${streamSid}"}`,
      );
    },
    sendDtmf(digit) {
      send(
        JSON.stringify({
          event: 'dtmf',
          streamSid,
          sequenceNumber: String(++sequence),
          dtmf: { track: 'inbound_track', digit },
        }),
      );
    },
    async stop() {
      send(
        JSON.stringify({
          event: 'stop',
          sequenceNumber: String(++sequence),
          streamSid,
          stop: { accountSid, callSid },
        }),
      );
      if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'stop');
      await closed;
    },
    pendingMarks: () => pendingTimers.size,
  };
}
