import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

/**
 * Plays Twilio's side of a bidirectional Media Stream (`<Connect><Stream>`) against a media
 * service's `/twilio/stream`: the exact JSON frames Twilio sends (`connected`, `start`, 20 ms
 * μ-law `media`, `dtmf`, `stop`; counters as strings) and Twilio's playback behaviour for what
 * the service sends back: agent `media` is queued for playout, a `mark` is echoed once everything
 * queued before it has played, and `clear` drops the queue and returns the outstanding marks.
 *
 * Playback runs on one of three clocks: `manual` (tests call `play(ms)`), `instant` (audio counts
 * as played on arrival; load tests) or `realtime` (8 bytes per ms, as a phone plays it).
 */

export interface ServerFrame {
  event: string;
  streamSid?: string;
  media?: { payload: string };
  mark?: { name: string };
  [key: string]: unknown;
}

export interface TwilioMediaClientOptions {
  /** The `<Parameter>`s from the TwiML; they arrive as `start.customParameters`. */
  customParameters: Record<string, string>;
  callSid?: string;
  accountSid?: string;
  /** How queued agent audio plays out (see above); `manual` by default. */
  playback?: 'manual' | 'instant' | 'realtime';
  /** Keep every frame the service sent in `received` (default); off for long simulations. */
  record?: boolean;
  /** Agent audio as it arrives: base64 μ-law exactly as sent. */
  onMedia?: (payload: string) => void;
  onMark?: (name: string) => void;
  onClear?: () => void;
  /** Extra upgrade request headers (a media task relaying a stream to another sends its relay token). */
  headers?: Record<string, string>;
}

export interface TwilioMediaClient {
  readonly streamSid: string;
  readonly callSid: string;
  /** Frames the service sent, in order (empty with `record: false`). */
  readonly received: ServerFrame[];
  /** Names of marks echoed back so far. */
  readonly echoedMarks: string[];
  /** Sends `connected` then `start`. */
  start(): void;
  /** Sends μ-law audio as 20 ms `media` frames (160 bytes each). */
  sendAudio(mulaw: Buffer): void;
  /** Sends one `media` frame with this base64 payload (normally 160 bytes = 20 ms). */
  sendMedia(payload: string): void;
  sendDtmf(digit: string): void;
  sendRaw(text: string): void;
  /** Sends `stop` (the caller hung up) and closes the socket; resolves once it is closed. */
  stop(): Promise<void>;
  /** `manual` playback: plays `ms` of queued agent audio and echoes the marks it passes. */
  play(ms: number): void;
  /** Agent audio received so far (bytes, across items). */
  outboundBytes(): number;
  /** `realtime` playback: `performance.now()` at which the audio received so far has played. */
  readonly playingUntil: number;
  /** Marks the service sent that have not been echoed yet. */
  pendingMarks(): number;
  waitFor(event: string, match?: (frame: ServerFrame) => boolean): Promise<ServerFrame>;
  /** Resolves once the socket is closed by either side. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
  /** Breaks the connection without a close frame (the media service sees 1006), as a network failure does. */
  drop(): void;
}

const FRAME_BYTES = 160;
const BYTES_PER_MS = 8;
const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

/** Opens the stream socket; resolves once it is open (rejects if the service refuses the upgrade). */
export async function connectTwilioMedia(
  url: string,
  options: TwilioMediaClientOptions,
): Promise<TwilioMediaClient> {
  const ws = new WebSocket(url, { perMessageDeflate: false, headers: options.headers });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`The media service refused the stream: HTTP ${res.statusCode}`)),
    );
  });
  ws.on('error', () => undefined);

  const streamSid = sid('MZ');
  const callSid = options.callSid ?? sid('CA');
  const accountSid = options.accountSid ?? sid('AC');
  const playback = options.playback ?? 'manual';
  const record = options.record !== false;
  const received: ServerFrame[] = [];
  const echoedMarks: string[] = [];
  const waiters: { event: string; match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] =
    [];
  let sequence = 0;
  let chunk = 0;
  let queuedBytes = 0;
  let playedBytes = 0;
  /** Marks waiting for the audio before them to play: position = bytes queued when it came. */
  let pendingMarks: { name: string; position: number; timer?: NodeJS.Timeout }[] = [];
  /** `realtime`: when the audio queued so far finishes playing (ms, performance clock). */
  let playoutEndsAt = 0;

  const sendText = (text: string) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
  };
  const send = (frame: Record<string, unknown>) =>
    sendText(JSON.stringify({ ...frame, sequenceNumber: String(++sequence) }));
  const echo = (name: string) => {
    echoedMarks.push(name);
    send({ event: 'mark', streamSid, mark: { name } });
    options.onMark?.(name);
  };
  const playTo = (position: number) => {
    playedBytes = Math.min(queuedBytes, Math.max(playedBytes, position));
    const due = pendingMarks.filter((m) => m.position <= playedBytes);
    pendingMarks = pendingMarks.filter((m) => m.position > playedBytes);
    for (const mark of due) echo(mark.name);
  };
  const queueMark = (name: string) => {
    const mark: (typeof pendingMarks)[number] = { name, position: queuedBytes };
    if (playback === 'realtime') {
      const wait = playoutEndsAt - performance.now();
      if (wait <= 0) return echo(name);
      mark.timer = setTimeout(() => {
        pendingMarks = pendingMarks.filter((m) => m !== mark);
        echo(name);
      }, wait);
    }
    pendingMarks.push(mark);
    if (playback === 'instant') playTo(queuedBytes);
  };

  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data.toString()) as ServerFrame;
    } catch {
      return;
    }
    if (record) received.push(frame);
    if (frame.event === 'media' && typeof frame.media?.payload === 'string') {
      const bytes = Buffer.byteLength(frame.media.payload, 'base64');
      queuedBytes += bytes;
      playoutEndsAt = Math.max(playoutEndsAt, performance.now()) + bytes / BYTES_PER_MS;
      if (playback === 'instant') playTo(queuedBytes);
      options.onMedia?.(frame.media.payload);
    } else if (frame.event === 'mark' && typeof frame.mark?.name === 'string') {
      queueMark(frame.mark.name);
    } else if (frame.event === 'clear') {
      // Twilio drops unplayed audio and sends the outstanding marks back.
      queuedBytes = playedBytes;
      playoutEndsAt = 0;
      const outstanding = pendingMarks;
      pendingMarks = [];
      for (const mark of outstanding) {
        clearTimeout(mark.timer);
        echo(mark.name);
      }
      options.onClear?.();
    }
    for (const waiter of [...waiters]) {
      if (waiter.event === frame.event && waiter.match(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  });
  void closed.then(() => {
    for (const mark of pendingMarks) clearTimeout(mark.timer);
  });

  const sendMedia = (payload: string) => {
    chunk += 1;
    // Written by template like the service's own hot path: no object per frame.
    sendText(
      `{"event":"media","sequenceNumber":"${++sequence}","media":{"track":"inbound","chunk":"${chunk}","timestamp":"${(chunk - 1) * 20}","payload":"${payload}"},"streamSid":"${streamSid}"}`,
    );
  };

  return {
    streamSid,
    callSid,
    received,
    echoedMarks,
    closed,
    get playingUntil() {
      return playoutEndsAt;
    },
    start() {
      sendText(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
      send({
        event: 'start',
        streamSid,
        start: {
          streamSid,
          accountSid,
          callSid,
          tracks: ['inbound'],
          customParameters: options.customParameters,
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
    },
    sendAudio(mulaw) {
      for (let offset = 0; offset < mulaw.length; offset += FRAME_BYTES) {
        sendMedia(mulaw.subarray(offset, offset + FRAME_BYTES).toString('base64'));
      }
    },
    sendMedia,
    sendDtmf(digit) {
      send({ event: 'dtmf', streamSid, dtmf: { track: 'inbound_track', digit } });
    },
    sendRaw(text) {
      ws.send(text);
    },
    async stop() {
      send({ event: 'stop', streamSid, stop: { accountSid, callSid } });
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'stop');
      await closed;
    },
    play(ms) {
      playTo(playedBytes + ms * BYTES_PER_MS);
    },
    outboundBytes: () => queuedBytes,
    pendingMarks: () => pendingMarks.length,
    waitFor(event, match = () => true) {
      const found = received.find((f) => f.event === event && match(f));
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ event, match, resolve }));
    },
    close() {
      ws.close(1000);
    },
    drop() {
      ws.terminate();
    },
  };
}
