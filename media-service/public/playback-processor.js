// AudioWorklet: plays the agent's PCM16 little-endian 24 kHz audio with a small jitter buffer and
// reports how much of each agent item the caller has heard, so barge-in truncation is exact.
//
// In:  {type:'audio', itemId, pcm}      PCM16 LE bytes of one agent item, in order
//      {type:'clear', itemId}           stop now, drop everything buffered, answer with 'cleared'
//      {type:'latency', samples}        output latency of the device, in samples
// Out: {type:'progress', itemId, heardSamples}   every `reportSamples` heard, and once the audio ran out
//      {type:'cleared', itemId, heardSamples}    answer to 'clear' for the item it named
//      {type:'speaking', value}                  agent audio started / stopped coming out
//
// Jitter buffer: after running dry, playback waits until `primeSamples` are queued, or until the
// queued audio has waited that long (the tail of a reply is often shorter than the threshold).

const DEFAULT_PRIME_SAMPLES = 1920; // 80 ms at 24 kHz
// 20 ms: as fine as Twilio marks per media frame, so barge-in truncation is within one frame.
const DEFAULT_REPORT_SAMPLES = 480;
const REMEMBERED_ITEMS = 16;

class PlaybackProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = options?.processorOptions ?? {};
    this.primeSamples = opts.primeSamples ?? DEFAULT_PRIME_SAMPLES;
    this.reportSamples = opts.reportSamples ?? DEFAULT_REPORT_SAMPLES;
    this.latencySamples = 0;
    /** Segments waiting to play: {itemId, data: Float32Array, offset}. */
    this.queue = [];
    this.buffered = 0;
    this.primed = false;
    /** Frames the queued audio has waited while not primed. */
    this.waited = 0;
    this.speaking = false;
    /** The item now playing: samples rendered and frames elapsed since its first sample. */
    this.current = null;
    /** Final heard counts of recent items, for a 'clear' that names an item that already ended. */
    this.heardByItem = new Map();
    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(message) {
    switch (message?.type) {
      case 'audio':
        this.enqueue(message.itemId, message.pcm);
        break;
      case 'clear':
        this.clear(message.itemId);
        break;
      case 'latency':
        this.latencySamples = Math.max(0, Math.round(message.samples) || 0);
        break;
    }
  }

  enqueue(itemId, pcm) {
    const view = new DataView(pcm);
    const count = Math.floor(pcm.byteLength / 2);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getInt16(i * 2, true) / 0x8000;
    if (count > 0) {
      this.queue.push({ itemId, data, offset: 0 });
      this.buffered += count;
    }
  }

  /** Samples of the current item the caller has heard: rendered minus what is still in the device. */
  heard(item) {
    return Math.min(item.rendered, Math.max(0, item.elapsed - this.latencySamples));
  }

  heardOf(itemId) {
    if (this.current && this.current.itemId === itemId) return this.heard(this.current);
    return this.heardByItem.get(itemId) ?? 0;
  }

  clear(itemId) {
    const heardSamples = this.heardOf(itemId);
    if (this.current) this.remember(this.current.itemId, this.heard(this.current));
    this.queue = [];
    this.buffered = 0;
    this.primed = false;
    this.current = null;
    this.port.postMessage({ type: 'cleared', itemId, heardSamples });
    this.setSpeaking(false);
  }

  remember(itemId, heardSamples) {
    this.heardByItem.set(itemId, heardSamples);
    if (this.heardByItem.size > REMEMBERED_ITEMS) {
      this.heardByItem.delete(this.heardByItem.keys().next().value);
    }
  }

  finishCurrent() {
    const item = this.current;
    if (!item) return;
    this.remember(item.itemId, item.rendered);
    this.port.postMessage({ type: 'progress', itemId: item.itemId, heardSamples: item.rendered });
    this.current = null;
  }

  setSpeaking(value) {
    if (this.speaking === value) return;
    this.speaking = value;
    this.port.postMessage({ type: 'speaking', value });
  }

  process(_inputs, outputs) {
    const output = outputs[0];
    const out = output?.[0];
    if (!out) return true;
    let written = 0;
    if (!this.primed && this.queue.length > 0) {
      this.primed = this.buffered >= this.primeSamples || this.waited >= this.primeSamples;
      this.waited = this.primed ? 0 : this.waited + out.length;
    }
    if (this.primed) {
      while (written < out.length && this.queue.length > 0) {
        const segment = this.queue[0];
        if (!this.current || this.current.itemId !== segment.itemId) {
          this.finishCurrent();
          this.current = { itemId: segment.itemId, rendered: 0, elapsed: 0, reported: 0 };
        }
        const n = Math.min(out.length - written, segment.data.length - segment.offset);
        out.set(segment.data.subarray(segment.offset, segment.offset + n), written);
        segment.offset += n;
        written += n;
        this.current.rendered += n;
        this.buffered -= n;
        if (segment.offset === segment.data.length) this.queue.shift();
      }
    }
    out.fill(0, written);
    for (let channel = 1; channel < output.length; channel++) output[channel].set(out);
    this.setSpeaking(written > 0);

    const item = this.current;
    if (!item) return true;
    item.elapsed += out.length;
    // Out of audio (an underrun, or the reply ended): buffer up again before the next samples play.
    if (this.queue.length === 0) this.primed = false;
    const heard = this.heard(item);
    const ranOut = this.queue.length === 0 && heard === item.rendered;
    if (heard - item.reported >= this.reportSamples || (ranOut && heard > item.reported)) {
      item.reported = heard;
      this.port.postMessage({ type: 'progress', itemId: item.itemId, heardSamples: heard });
    }
    return true;
  }
}

registerProcessor('playback-processor', PlaybackProcessor);
