// The call's audio graph: microphone → capture worklet (PCM16 frames out), and agent PCM16 in →
// playback worklet → speakers. One AudioContext at 24 kHz does both, so the browser resamples the
// microphone and the speakers and the wire carries OpenAI's `audio/pcm` format untouched.

export const SAMPLE_RATE = 24000;
const SAMPLES_PER_MS = SAMPLE_RATE / 1000;

/** An audio failure with a code the page turns into a message. */
export class AudioSetupError extends Error {
  constructor(code, cause) {
    super(code);
    this.name = 'AudioSetupError';
    this.code = code;
    this.cause = cause;
  }
}

function microphoneErrorCode(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'microphone_denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'microphone_missing';
    case 'NotReadableError':
    case 'AbortError':
      return 'microphone_busy';
    default:
      return 'microphone_failed';
  }
}

/** Throws AudioSetupError('unsupported' | 'insecure') when this page cannot make calls here. */
export function assertAudioSupport() {
  if (!window.isSecureContext) throw new AudioSetupError('insecure');
  if (!navigator.mediaDevices?.getUserMedia || typeof AudioWorkletNode === 'undefined') {
    throw new AudioSetupError('unsupported');
  }
}

/** Asks for the microphone first, so a refusal costs nothing (the call link is not used yet). */
export async function openMicrophone() {
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
  } catch (error) {
    throw new AudioSetupError(microphoneErrorCode(error), error);
  }
}

/**
 * Builds the graph on a microphone stream. Callbacks: onFrame(ArrayBuffer pcm), onLevel(0..1),
 * onProgress(itemId, heardMs), onCleared(itemId, heardMs), onSpeaking(boolean).
 */
export async function startAudio(stream, handlers) {
  const context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
  try {
    await Promise.all([
      context.audioWorklet.addModule('/call/capture-processor.js'),
      context.audioWorklet.addModule('/call/playback-processor.js'),
    ]);
    await context.resume();
  } catch (error) {
    await context.close().catch(() => undefined);
    throw new AudioSetupError('audio_failed', error);
  }

  const source = context.createMediaStreamSource(stream);
  const capture = new AudioWorkletNode(context, 'capture-processor', {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    channelCount: 1,
    channelCountMode: 'explicit',
    processorOptions: { frameSamples: 20 * SAMPLES_PER_MS },
  });
  // Connected through a muted gain so the graph pulls the capture node without echoing the mic.
  const mute = new GainNode(context, { gain: 0 });
  source.connect(capture).connect(mute).connect(context.destination);

  const playback = new AudioWorkletNode(context, 'playback-processor', {
    numberOfInputs: 0,
    numberOfOutputs: 1,
    outputChannelCount: [1],
  });
  playback.connect(context.destination);

  let sending = false;
  capture.port.onmessage = ({ data }) => {
    if (data.type !== 'frame') return;
    handlers.onLevel(data.level);
    if (sending) handlers.onFrame(data.pcm);
  };
  playback.port.onmessage = ({ data }) => {
    const heardMs = Math.floor((data.heardSamples ?? 0) / SAMPLES_PER_MS);
    if (data.type === 'progress') handlers.onProgress(data.itemId, heardMs);
    else if (data.type === 'cleared') handlers.onCleared(data.itemId, heardMs);
    else if (data.type === 'speaking') handlers.onSpeaking(data.value);
  };
  // What has left the graph is not yet heard: the device still holds this much.
  const latencySeconds = (context.outputLatency || 0) + (context.baseLatency || 0);
  playback.port.postMessage({ type: 'latency', samples: latencySeconds * SAMPLE_RATE });

  let closed = false;
  return {
    /** Starts sending microphone frames (once the server is ready for them). */
    startSending() {
      sending = true;
    },
    play(itemId, pcm) {
      playback.port.postMessage({ type: 'audio', itemId, pcm }, [pcm]);
    },
    clear(itemId) {
      playback.port.postMessage({ type: 'clear', itemId });
    },
    async close() {
      if (closed) return;
      closed = true;
      sending = false;
      for (const track of stream.getTracks()) track.stop();
      source.disconnect();
      capture.port.onmessage = null;
      playback.port.onmessage = null;
      await context.close().catch(() => undefined);
    },
  };
}
