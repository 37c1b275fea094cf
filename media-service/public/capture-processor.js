// AudioWorklet: microphone → PCM16 little-endian mono frames for the call socket.
//
// The page creates its AudioContext at 24 kHz, so the browser resamples the microphone to the rate
// OpenAI's `audio/pcm` format requires and no code here (or on the server) resamples. Each posted
// frame holds `frameSamples` samples (20 ms by default) plus the frame's RMS level for the meter.

const DEFAULT_FRAME_SAMPLES = 480;

class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const requested = options?.processorOptions?.frameSamples;
    this.frameSamples = Number.isInteger(requested) && requested > 0 ? requested : DEFAULT_FRAME_SAMPLES;
    this.startFrame();
  }

  startFrame() {
    this.frame = new ArrayBuffer(this.frameSamples * 2);
    this.view = new DataView(this.frame);
    this.filled = 0;
    this.sumSquares = 0;
  }

  process(inputs) {
    // Mono: the first channel of the first input. No input (muted track) means nothing to send.
    const channel = inputs[0]?.[0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      const sample = Math.max(-1, Math.min(1, channel[i]));
      this.sumSquares += sample * sample;
      // Little-endian explicitly: the wire format is fixed whatever the host's byte order.
      this.view.setInt16(this.filled * 2, sample < 0 ? sample * 0x8000 : sample * 0x7fff, true);
      this.filled += 1;
      if (this.filled === this.frameSamples) {
        const level = Math.sqrt(this.sumSquares / this.frameSamples);
        this.port.postMessage({ type: 'frame', pcm: this.frame, level }, [this.frame]);
        this.startFrame();
      }
    }
    return true;
  }
}

registerProcessor('capture-processor', CaptureProcessor);
