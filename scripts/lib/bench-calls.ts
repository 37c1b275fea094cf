import { FRAME_BYTES, FRAME_MS } from './caller-audio.ts';
import { type FramePacer, startFramePacer } from './frame-pacer.ts';
import { connectTwilioStream, type TwilioStreamClient } from './twilio-stream-client.ts';

/**
 * N simulated Twilio calls against one bridge, timed frame by frame. Each caller frame carries
 * its sequence number in its first 4 bytes; the echo realtime server returns the payload
 * unchanged, so the agent frame that comes back identifies the caller frame it answers and the
 * round trip through the bridge is measured per frame. Frames are sent on a 20 ms schedule, with
 * callers spread over the 20 ms so they do not all send in the same millisecond.
 */

export interface BenchCallsOptions {
  /** `ws://127.0.0.1:port/twilio/stream` of the bridge under test. */
  streamUrl: string;
  /** One `<Parameter>` set per call (callId + token for the media service; empty for the baseline). */
  parameters: Record<string, string>[];
  measureMs: number;
  /** Time after every call is flowing before measuring starts. */
  settleMs: number;
  /** Hooks at the window edges (the benchmark samples the bridge's CPU and RSS there). */
  onWindowStart(): Promise<void>;
  onWindowEnd(): Promise<void>;
}

export interface BenchCallsResult {
  calls: number;
  /** Calls whose first echoed frame never came back (refused or broken). */
  failedCalls: number;
  framesSent: number;
  framesLost: number;
  /** Round trips of frames sent inside the window, in ms. */
  roundTripsMs: Float64Array;
}

/** Sent-time ring per call: far more slots than frames in flight. */
const RING = 4096;
const FIRST_ECHO_TIMEOUT_MS = 30_000;
const LOSS_GRACE_MS = 3_000;
const CONNECT_CONCURRENCY = 50;

interface SimulatedCall {
  client?: TwilioStreamClient;
  frame: Buffer;
  seq: number;
  sentAt: Float64Array;
  firstEcho: Promise<void>;
  windowSent: number;
  windowReceived: number;
}

async function inBatches<T>(
  items: T[],
  size: number,
  run: (item: T, index: number) => Promise<void>,
): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map((item, i) => run(item, start + i)));
  }
}

export async function runBenchCalls(options: BenchCallsOptions): Promise<BenchCallsResult> {
  const samples: number[] = [];
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let outstanding = 0;
  let drained: (() => void) | undefined;

  const calls: SimulatedCall[] = options.parameters.map(() => {
    const call = {
      frame: Buffer.alloc(FRAME_BYTES, 0xff),
      seq: 0,
      sentAt: new Float64Array(RING),
    } as SimulatedCall;
    call.windowSent = 0;
    call.windowReceived = 0;
    return call;
  });

  await inBatches(calls, CONNECT_CONCURRENCY, async (call, index) => {
    let echoed: () => void = () => undefined;
    call.firstEcho = new Promise<void>((resolve) => {
      echoed = resolve;
    });
    try {
      call.client = await connectTwilioStream({
        url: options.streamUrl,
        customParameters: options.parameters[index] as Record<string, string>,
        markEcho: 'immediate',
        onMedia: (payload) => {
          const now = performance.now();
          echoed();
          // The first 6 bytes are in the first 8 base64 characters: no full decode per frame.
          const seq = Buffer.from(payload.slice(0, 8), 'base64').readUInt32BE(0);
          const sentAt = call.sentAt[seq % RING] as number;
          if (sentAt >= windowStart && sentAt < windowEnd) {
            samples.push(now - sentAt);
            call.windowReceived++;
            if (--outstanding === 0) drained?.();
          }
        },
      });
      call.client.start();
    } catch {
      // Counted as a failed call below.
    }
  });

  const send = (call: SimulatedCall) => {
    if (!call.client) return;
    const seq = ++call.seq;
    call.frame.writeUInt32BE(seq, 0);
    const now = performance.now();
    call.sentAt[seq % RING] = now;
    if (now >= windowStart && now < windowEnd) {
      call.windowSent++;
      outstanding++;
    }
    call.client.sendMedia(call.frame.toString('base64'));
  };

  const groups = Math.min(calls.length, 25);
  const pacers: FramePacer[] = [];
  const offsets: NodeJS.Timeout[] = [];
  for (let g = 0; g < groups; g++) {
    const members = calls.filter((_, i) => i % groups === g);
    offsets.push(
      setTimeout(
        () => pacers.push(startFramePacer(FRAME_MS, () => members.forEach(send))),
        (g * FRAME_MS) / groups,
      ),
    );
  }

  const echoes = await Promise.all(
    calls.map((call) =>
      call.client
        ? Promise.race([
            call.firstEcho.then(() => true),
            new Promise<boolean>((resolve) =>
              setTimeout(() => resolve(false), FIRST_ECHO_TIMEOUT_MS).unref(),
            ),
          ])
        : Promise.resolve(false),
    ),
  );
  const failedCalls = echoes.filter((ok) => !ok).length;

  await new Promise((resolve) => setTimeout(resolve, options.settleMs));
  await options.onWindowStart();
  windowStart = performance.now();
  windowEnd = windowStart + options.measureMs;
  await new Promise((resolve) => setTimeout(resolve, options.measureMs));
  await options.onWindowEnd();
  for (const timer of offsets) clearTimeout(timer);
  for (const pacer of pacers) pacer.stop();

  // Frames still in flight get a grace period; whatever has not come back by then is lost.
  if (outstanding > 0) {
    await Promise.race([
      new Promise<void>((resolve) => {
        drained = resolve;
      }),
      new Promise((resolve) => setTimeout(resolve, LOSS_GRACE_MS)),
    ]);
  }
  const framesSent = calls.reduce((sum, call) => sum + call.windowSent, 0);
  const framesReceived = calls.reduce((sum, call) => sum + call.windowReceived, 0);
  await Promise.all(calls.map((call) => call.client?.stop().catch(() => undefined)));
  return {
    calls: calls.length,
    failedCalls,
    framesSent,
    framesLost: framesSent - framesReceived,
    roundTripsMs: Float64Array.from(samples),
  };
}

/** The value at quantile q (0..1) of sorted data. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
