import WebSocket from 'ws';
import { FRAME_BYTES, FRAME_MS } from '../../fakes/audio/caller-audio.ts';
import { type FramePacer, startFramePacer } from '../../fakes/audio/frame-pacer.ts';

/**
 * Simulated Twilio calls for the media benchmark, timed frame by frame. Each caller frame carries
 * its sequence number in its first 4 bytes; the echo realtime server returns the payload
 * unchanged, so the agent frame that comes back identifies the caller frame it answers. Frames go
 * out on a 20 ms schedule with callers spread over the 20 ms. Marks are echoed at once.
 *
 * The load generator must stay far lighter than what it measures, so frames are handled as
 * strings: Twilio's JSON is written by template and the service's frames are recognised by prefix
 * and sliced, never parsed.
 */

export interface BenchCalls {
  /** Resolves with the number of calls whose first frame never came back (refused or broken). */
  readonly flowing: Promise<number>;
  /** Counts frames sent in [startEpochMs, endEpochMs) and their round trips; resolves after a grace period. */
  measure(startEpochMs: number, endEpochMs: number): Promise<BenchMeasurement>;
  close(): Promise<void>;
}

export interface BenchMeasurement {
  framesSent: number;
  framesLost: number;
  roundTripsMs: number[];
}

const RING = 4096;
const FIRST_ECHO_TIMEOUT_MS = 30_000;
const LOSS_GRACE_MS = 3_000;
const CONNECT_CONCURRENCY = 50;
const MEDIA_PREFIX = '{"event":"media"';
const MARK_PREFIX = '{"event":"mark"';
const PAYLOAD_KEY = '"payload":"';
const NAME_KEY = '"name":"';

interface Call {
  socket?: WebSocket;
  streamSid: string;
  callSid: string;
  frame: Buffer;
  seq: number;
  twilioSeq: number;
  sentAt: Float64Array;
  echoed: () => void;
  firstEcho: Promise<void>;
}

/** Epoch milliseconds with sub-millisecond resolution (comparable across processes). */
const nowEpoch = () => performance.timeOrigin + performance.now();

export function openBenchCalls(streamUrl: string, parameters: Record<string, string>[]): BenchCalls {
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let framesSent = 0;
  let framesReceived = 0;
  let drained: (() => void) | undefined;
  const samples: number[] = [];

  const calls: Call[] = parameters.map((_, i) => {
    const call = {
      streamSid: `MZbench${String(i).padStart(27, '0')}`,
      callSid: `CAbench${String(i).padStart(27, '0')}`,
      frame: Buffer.alloc(FRAME_BYTES, 0xff),
      seq: 0,
      twilioSeq: 0,
      sentAt: new Float64Array(RING),
    } as Call;
    call.firstEcho = new Promise<void>((resolve) => {
      call.echoed = resolve;
    });
    return call;
  });

  const onMessage = (call: Call, text: string) => {
    if (text.startsWith(MEDIA_PREFIX)) {
      const now = nowEpoch();
      call.echoed();
      const at = text.indexOf(PAYLOAD_KEY) + PAYLOAD_KEY.length;
      // The first 6 bytes are the first 8 base64 characters: no full decode per frame.
      const seq = Buffer.from(text.slice(at, at + 8), 'base64').readUInt32BE(0);
      const sentAt = call.sentAt[seq % RING] as number;
      // Consumed once: a frame echoed twice (e.g. replayed after a model reconnect) counts once.
      call.sentAt[seq % RING] = Number.NaN;
      if (sentAt >= windowStart && sentAt < windowEnd) {
        samples.push(now - sentAt);
        if (++framesReceived === framesSent && nowEpoch() >= windowEnd) drained?.();
      }
    } else if (text.startsWith(MARK_PREFIX)) {
      const at = text.indexOf(NAME_KEY) + NAME_KEY.length;
      const name = text.slice(at, text.indexOf('"', at));
      call.socket?.send(
        `{"event":"mark","sequenceNumber":"${++call.twilioSeq}","streamSid":"${call.streamSid}","mark":{"name":"${name}"}}`,
      );
    }
  };

  const connect = (call: Call, index: number) =>
    new Promise<void>((resolve) => {
      const socket = new WebSocket(streamUrl, { perMessageDeflate: false });
      socket.once('open', () => {
        call.socket = socket;
        socket.send('{"event":"connected","protocol":"Call","version":"1.0.0"}');
        socket.send(
          JSON.stringify({
            event: 'start',
            sequenceNumber: String(++call.twilioSeq),
            start: {
              accountSid: `AC${'0'.repeat(32)}`,
              streamSid: call.streamSid,
              callSid: call.callSid,
              tracks: ['inbound'],
              mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
              customParameters: parameters[index],
            },
            streamSid: call.streamSid,
          }),
        );
        resolve();
      });
      socket.on('message', (data) => onMessage(call, data.toString()));
      socket.once('error', () => resolve());
      socket.once('close', () => resolve());
    });

  const send = (call: Call) => {
    const socket = call.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const seq = ++call.seq;
    call.frame.writeUInt32BE(seq, 0);
    const now = nowEpoch();
    call.sentAt[seq % RING] = now;
    if (now >= windowStart && now < windowEnd) framesSent++;
    const chunk = call.seq;
    socket.send(
      `{"event":"media","sequenceNumber":"${++call.twilioSeq}","media":{"track":"inbound","chunk":"${chunk}","timestamp":"${(chunk - 1) * FRAME_MS}","payload":"${call.frame.toString('base64')}"},"streamSid":"${call.streamSid}"}`,
    );
  };

  const pacers: FramePacer[] = [];
  const offsets: NodeJS.Timeout[] = [];
  const flowing = (async () => {
    for (let start = 0; start < calls.length; start += CONNECT_CONCURRENCY) {
      await Promise.all(
        calls.slice(start, start + CONNECT_CONCURRENCY).map((call, i) => connect(call, start + i)),
      );
    }
    const groups = Math.min(calls.length, 25);
    for (let g = 0; g < groups; g++) {
      const members = calls.filter((_, i) => i % groups === g);
      offsets.push(
        setTimeout(
          () => pacers.push(startFramePacer(FRAME_MS, () => members.forEach(send))),
          (g * FRAME_MS) / groups,
        ),
      );
    }
    const echoed = await Promise.all(
      calls.map((call) =>
        Promise.race([
          call.firstEcho.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), FIRST_ECHO_TIMEOUT_MS).unref()),
        ]),
      ),
    );
    return echoed.filter((ok) => !ok).length;
  })();

  return {
    flowing,
    async measure(startEpochMs, endEpochMs) {
      windowStart = startEpochMs;
      windowEnd = endEpochMs;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, endEpochMs - nowEpoch())));
      if (framesReceived < framesSent) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise((resolve) => setTimeout(resolve, LOSS_GRACE_MS)),
        ]);
      }
      return { framesSent, framesLost: framesSent - framesReceived, roundTripsMs: samples };
    },
    async close() {
      for (const timer of offsets) clearTimeout(timer);
      for (const pacer of pacers) pacer.stop();
      await Promise.all(
        calls.map(
          (call) =>
            new Promise<void>((resolve) => {
              const socket = call.socket;
              if (!socket || socket.readyState !== WebSocket.OPEN) return resolve();
              socket.once('close', () => resolve());
              socket.send(
                `{"event":"stop","sequenceNumber":"${++call.twilioSeq}","streamSid":"${call.streamSid}","stop":{"accountSid":"AC${'0'.repeat(32)}","callSid":"${call.callSid}"}}`,
              );
              socket.close(1000, 'stop');
              setTimeout(() => {
                socket.terminate();
                resolve();
              }, 5_000).unref();
            }),
        ),
      );
    },
  };
}

/** The value at quantile q (0..1) of sorted data. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
