import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RtpPacer } from './rtp-pacer.ts';

interface Sent {
  at: number;
  tag: string;
  frame: Buffer;
  startsTalkspurt: boolean;
}

function pacer(maxQueuedFrames = 100) {
  const sent: Sent[] = [];
  const marks: { name: string; at: number; framesSent: number }[] = [];
  const p: RtpPacer = new RtpPacer({
    frameBytes: 160,
    frameMs: 20,
    silenceByte: 0xff,
    maxQueuedFrames,
    now: () => Date.now(),
    sendFrame: (frame, { tag, startsTalkspurt }) =>
      sent.push({ at: Date.now(), frame, tag, startsTalkspurt }),
    onMark: (name) => marks.push({ name, at: Date.now(), framesSent: p.framesSent }),
  });
  return { p, sent, marks };
}

const audio = (frames: number, fill = 0x11) => Buffer.alloc(frames * 160, fill);

describe('RtpPacer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends one frame every 20 ms however fast the audio arrives', async () => {
    const { p, sent } = pacer();
    p.push(audio(10));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(10);
    expect(sent.map((s) => s.at - sent[0]!.at)).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180]);
    expect(sent.map((s) => s.startsTalkspurt)).toEqual([true, ...Array(9).fill(false)]);
    expect(p.playedMs).toBe(200);
  });

  it('cuts arbitrary chunks into 160-byte frames and pads the tail with silence', async () => {
    const { p, sent } = pacer();
    p.push(Buffer.alloc(100, 1));
    p.push(Buffer.alloc(100, 2));
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((s) => s.frame.length)).toEqual([160, 160]);
    expect([...sent[0]!.frame.subarray(95, 105)]).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    expect([...sent[1]!.frame.subarray(39, 42)]).toEqual([2, 0xff, 0xff]);
  });

  it('flush drops what was not sent: played ms = frames sent × 20', async () => {
    const { p, sent } = pacer();
    p.push(audio(50));
    await vi.advanceTimersByTimeAsync(130); // frames at 0,20,…,120 → 7 sent
    expect(p.flush()).toBe(43);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(7);
    expect(p.playedMs).toBe(140);
    p.push(audio(1, 0x22));
    await vi.advanceTimersByTimeAsync(20);
    expect(sent).toHaveLength(8);
    expect(sent[7]!.startsTalkspurt).toBe(true);
  });

  it('bounds the queue and counts what it dropped', async () => {
    const { p, sent } = pacer(5);
    p.push(audio(8));
    expect(p.framesDropped).toBe(3);
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toHaveLength(5);
  });

  it('fires a mark once the audio queued before it has been sent, and flush discards marks', async () => {
    const { p, marks } = pacer();
    p.push(audio(3));
    p.mark('end-of-item-1');
    p.push(audio(2));
    p.mark('end-of-item-2');
    await vi.advanceTimersByTimeAsync(50);
    expect(marks).toEqual([{ name: 'end-of-item-1', at: 1_000_040, framesSent: 3 }]);
    p.flush();
    await vi.advanceTimersByTimeAsync(500);
    expect(marks).toHaveLength(1);
  });

  it('keeps the schedule after a stall instead of drifting', async () => {
    const { p, sent } = pacer();
    p.push(audio(10));
    await vi.advanceTimersByTimeAsync(0);
    vi.setSystemTime(Date.now() + 75); // the event loop was blocked for 75 ms
    await vi.advanceTimersByTimeAsync(200);
    const offsets = sent.map((s) => s.at - sent[0]!.at);
    expect(sent).toHaveLength(10);
    // Frames due during the stall go out together; later ones stay on the 20 ms grid.
    expect(offsets.slice(-3)).toEqual([140, 160, 180]);
  });

  it('never mixes two items in one frame and tags each frame with its item', async () => {
    const { p, sent } = pacer();
    p.push(Buffer.alloc(200, 1), 'item_a');
    p.push(Buffer.alloc(100, 2), 'item_b');
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((s) => [s.tag, s.frame[0], s.frame[159]])).toEqual([
      ['item_a', 1, 1],
      ['item_a', 1, 0xff],
      ['item_b', 2, 0xff],
    ]);
  });

  it('sends nothing after close', async () => {
    const { p, sent } = pacer();
    p.push(audio(3));
    p.close();
    p.push(audio(3));
    await vi.advanceTimersByTimeAsync(200);
    expect(sent).toHaveLength(0);
  });
});
