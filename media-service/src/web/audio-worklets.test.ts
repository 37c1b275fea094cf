import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The page's AudioWorklet processors run here on the same code the browser loads, with the two
 * globals an AudioWorkletGlobalScope provides stood in: the base class with its message port, and
 * `registerProcessor`. Render quanta are 128 frames, as in every browser.
 */
interface Message {
  type: string;
  [key: string]: unknown;
}
interface Processor {
  port: { onmessage: ((event: { data: unknown }) => void) | null; sent: Message[] };
  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
}
type ProcessorClass = new (options?: { processorOptions?: Record<string, unknown> }) => Processor;

const registered = new Map<string, ProcessorClass>();
const QUANTUM = 128;

beforeAll(async () => {
  const scope = globalThis as Record<string, unknown>;
  scope.AudioWorkletProcessor = class {
    port = {
      onmessage: null,
      sent: [] as Message[],
      postMessage(message: Message) {
        this.sent.push(message);
      },
    };
  };
  scope.registerProcessor = (name: string, processor: ProcessorClass) => registered.set(name, processor);
  // Loaded by URL, as the page loads them: plain browser scripts, outside the TypeScript project.
  for (const file of ['capture-processor.js', 'playback-processor.js']) {
    await import(new URL(`../../public/${file}`, import.meta.url).href);
  }
});

function pcm(samples: number[]): ArrayBuffer {
  const view = new DataView(new ArrayBuffer(samples.length * 2));
  samples.forEach((s, i) => {
    view.setInt16(i * 2, s, true);
  });
  return view.buffer;
}

describe('capture processor', () => {
  it('packs the microphone into PCM16 little-endian frames with their level', () => {
    const Capture = registered.get('capture-processor') as ProcessorClass;
    const capture = new Capture({ processorOptions: { frameSamples: 4 } });
    const input = new Float32Array([0.5, -0.5, 1.5, -1]);
    capture.process([[input.subarray(0, 2)]], []);
    expect(capture.port.sent).toEqual([]); // half a frame: nothing yet
    capture.process([[input.subarray(2)]], []);
    capture.process([[]], []); // a muted track delivers no channel
    expect(capture.port.sent).toHaveLength(1);
    const frame = capture.port.sent[0] as unknown as { pcm: ArrayBuffer; level: number };
    const view = new DataView(frame.pcm);
    // 0.5 → 16383, -0.5 → -16384, 1.5 clamps to 32767, -1 → -32768
    expect([0, 1, 2, 3].map((i) => view.getInt16(i * 2, true))).toEqual([16383, -16384, 32767, -32768]);
    expect(frame.level).toBeCloseTo(Math.sqrt((0.25 + 0.25 + 1 + 1) / 4), 6);
  });
});

describe('playback processor', () => {
  function setup(options: Record<string, unknown> = {}) {
    const Playback = registered.get('playback-processor') as ProcessorClass;
    const node = new Playback({ processorOptions: options });
    const send = (data: unknown) => node.port.onmessage?.({ data });
    const render = (quanta = 1) => {
      const rendered: number[] = [];
      for (let q = 0; q < quanta; q++) {
        const out = new Float32Array(QUANTUM);
        node.process([], [[out]]);
        rendered.push(...out);
      }
      return rendered;
    };
    const sent = (type: string) => node.port.sent.filter((m) => m.type === type);
    return { node, send, render, sent };
  }

  it('decodes PCM16 little-endian and starts at once when a full jitter buffer is queued', () => {
    const { send, render, sent } = setup({ primeSamples: 4, reportSamples: 1_000_000 });
    send({ type: 'audio', itemId: 'a', pcm: pcm([16384, -32768, 0, 8192]) });
    expect(render().slice(0, 5)).toEqual([0.5, -1, 0, 0.25, 0]);
    expect(sent('speaking')).toEqual([{ type: 'speaking', value: true }]);
  });

  it('holds a short start until the jitter buffer fills or has waited long enough', () => {
    const { send, render } = setup({ primeSamples: 2 * QUANTUM });
    send({ type: 'audio', itemId: 'a', pcm: pcm(new Array(QUANTUM).fill(16384)) });
    expect(render().every((s) => s === 0)).toBe(true); // 128 queued, 256 needed: wait
    expect(render().every((s) => s === 0)).toBe(true); // waited 128 of 256 frames
    expect(render().every((s) => s === 0.5)).toBe(true); // waited long enough: play the tail
  });

  it('reports heard audio per item every report period and once it ran out, minus output latency', () => {
    const { send, render, sent } = setup({ primeSamples: 0, reportSamples: QUANTUM });
    send({ type: 'latency', samples: QUANTUM });
    send({ type: 'audio', itemId: 'a', pcm: pcm(new Array(3 * QUANTUM).fill(1000)) });
    render(5);
    expect(sent('progress')).toEqual([
      { type: 'progress', itemId: 'a', heardSamples: 128 }, // 256 rendered, 128 still in the device
      { type: 'progress', itemId: 'a', heardSamples: 256 },
      { type: 'progress', itemId: 'a', heardSamples: 384 }, // all heard once the latency passed
    ]);
  });

  it('flushes everything on clear and answers with what was heard of the named item', () => {
    const { send, render, sent } = setup({ primeSamples: 0, reportSamples: 1_000_000 });
    send({ type: 'audio', itemId: 'a', pcm: pcm(new Array(QUANTUM).fill(1000)) });
    send({ type: 'audio', itemId: 'b', pcm: pcm(new Array(10 * QUANTUM).fill(2000)) });
    render(3); // all of a, two quanta of b
    send({ type: 'clear', itemId: 'b' });
    expect(sent('cleared')).toEqual([{ type: 'cleared', itemId: 'b', heardSamples: 2 * QUANTUM }]);
    expect(render(2).every((s) => s === 0)).toBe(true);
    expect(sent('speaking').at(-1)).toEqual({ type: 'speaking', value: false });
    // An item that had already ended reports its full length; one never started reports 0.
    send({ type: 'clear', itemId: 'a' });
    send({ type: 'clear', itemId: 'c' });
    expect(sent('cleared').slice(1)).toEqual([
      { type: 'cleared', itemId: 'a', heardSamples: QUANTUM },
      { type: 'cleared', itemId: 'c', heardSamples: 0 },
    ]);
  });

  it('finishes an item with its full length when the next one starts', () => {
    const { send, render, sent } = setup({ primeSamples: 0, reportSamples: 1_000_000 });
    send({ type: 'latency', samples: 10 * QUANTUM });
    send({ type: 'audio', itemId: 'a', pcm: pcm(new Array(QUANTUM).fill(1)) });
    send({ type: 'audio', itemId: 'b', pcm: pcm(new Array(QUANTUM).fill(1)) });
    render(2);
    expect(sent('progress')).toEqual([{ type: 'progress', itemId: 'a', heardSamples: QUANTUM }]);
  });
});
