import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import WebSocket from 'ws';

/**
 * A test Twilio: connects to a media service's `/twilio/stream` and speaks Twilio's exact JSON
 * (`connected`, `start`, 20 ms μ-law `media` with string counters, `dtmf`, `mark` echoes,
 * `stop`). Playback is simulated: outbound audio is queued, `play(ms)` plays it and echoes every
 * mark whose audio has finished (as Twilio does), `clear` drops the queue and echoes the
 * outstanding marks. With `autoPlay`, audio "plays" as soon as it arrives.
 */

export interface ServerFrame {
  event: string;
  streamSid?: string;
  media?: { payload: string };
  mark?: { name: string };
  [key: string]: unknown;
}

export interface TwilioMediaClientOptions {
  customParameters: Record<string, string>;
  callSid?: string;
  accountSid?: string;
  autoPlay?: boolean;
}

export interface TwilioMediaClient {
  readonly streamSid: string;
  readonly callSid: string;
  readonly received: ServerFrame[];
  /** Sends `connected` then `start`. */
  start(): void;
  /** Sends μ-law audio as 20 ms `media` frames (160 bytes each). */
  sendAudio(mulaw: Buffer): void;
  sendDtmf(digit: string): void;
  sendRaw(text: string): void;
  stop(): void;
  /** Plays `ms` of queued outbound audio and echoes the marks it passes. */
  play(ms: number): void;
  /** Outbound audio received so far (bytes, across items). */
  outboundBytes(): number;
  /** Names of marks echoed back so far. */
  readonly echoedMarks: string[];
  waitFor(event: string, match?: (frame: ServerFrame) => boolean): Promise<ServerFrame>;
  /** Resolves once the server closed the socket. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

const FRAME_BYTES = 160;

export async function connectTwilioMedia(
  url: string,
  options: TwilioMediaClientOptions,
): Promise<TwilioMediaClient> {
  const ws = new WebSocket(url);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await once(ws, 'open');
  const streamSid = `MZ${randomBytes(16).toString('hex')}`;
  const callSid = options.callSid ?? `CA${randomBytes(16).toString('hex')}`;
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const received: ServerFrame[] = [];
  const echoedMarks: string[] = [];
  const waiters: { event: string; match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] =
    [];
  let sequence = 0;
  let chunk = 0;
  let queuedBytes = 0;
  let playedBytes = 0;
  /** Marks waiting for the audio before them to play: position = bytes queued when it came. */
  let pendingMarks: { name: string; position: number }[] = [];

  const send = (frame: Record<string, unknown>) => {
    if (ws.readyState === WebSocket.OPEN)
      ws.send(JSON.stringify({ ...frame, sequenceNumber: String(++sequence) }));
  };
  const echo = (name: string) => {
    echoedMarks.push(name);
    send({ event: 'mark', streamSid, mark: { name } });
  };
  const playTo = (position: number) => {
    playedBytes = Math.min(queuedBytes, Math.max(playedBytes, position));
    const due = pendingMarks.filter((m) => m.position <= playedBytes);
    pendingMarks = pendingMarks.filter((m) => m.position > playedBytes);
    for (const mark of due) echo(mark.name);
  };

  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as ServerFrame;
    received.push(frame);
    if (frame.event === 'media' && frame.media) {
      queuedBytes += Buffer.from(frame.media.payload, 'base64').length;
      if (options.autoPlay) playTo(queuedBytes);
    } else if (frame.event === 'mark' && frame.mark) {
      pendingMarks.push({ name: frame.mark.name, position: queuedBytes });
      if (options.autoPlay) playTo(queuedBytes);
    } else if (frame.event === 'clear') {
      // Twilio drops unplayed audio and sends the outstanding marks back.
      queuedBytes = playedBytes;
      const outstanding = pendingMarks;
      pendingMarks = [];
      for (const mark of outstanding) echo(mark.name);
    }
    for (const waiter of [...waiters]) {
      if (waiter.event === frame.event && waiter.match(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  });

  return {
    streamSid,
    callSid,
    received,
    echoedMarks,
    closed,
    start() {
      ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
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
        chunk++;
        send({
          event: 'media',
          streamSid,
          media: {
            track: 'inbound',
            chunk: String(chunk),
            timestamp: String((chunk - 1) * 20),
            payload: mulaw.subarray(offset, offset + FRAME_BYTES).toString('base64'),
          },
        });
      }
    },
    sendDtmf(digit) {
      send({ event: 'dtmf', streamSid, dtmf: { track: 'inbound_track', digit } });
    },
    sendRaw(text) {
      ws.send(text);
    },
    stop() {
      send({ event: 'stop', streamSid, stop: { accountSid, callSid } });
      ws.close(1000);
    },
    play(ms) {
      playTo(playedBytes + ms * 8);
    },
    outboundBytes: () => queuedBytes,
    waitFor(event, match = () => true) {
      const found = received.find((f) => f.event === event && match(f));
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ event, match, resolve }));
    },
    close() {
      ws.close(1000);
    },
  };
}
