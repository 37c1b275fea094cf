/**
 * A stand-in for the OpenAI Realtime API (GA events; `audio/pcmu` for phone calls, `audio/pcm`
 * 24 kHz for browser calls, as the session asks) that behaves like a very simple agent, so the
 * whole platform can be tried without an OpenAI key. `npm start` runs it when OPENAI_API_KEY is
 * not set; `npm run fake:agent` runs it alone.
 *
 * It speaks the greeting it is asked for, detects the caller's speech over the noise floor
 * (server VAD: `speech_started` / `speech_stopped`, cancelling its own response when talked
 * over), reports a caller "transcript" that only states how long the caller spoke (it has no
 * speech recogniser), and answers each turn. Speech is synthesised with espeak-ng + sox when
 * installed, tones otherwise. Usage is reported on every `response.done`, so calls show usage as
 * with OpenAI.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { decodeMulaw, synthesiseSpeech, toneClip } from '../audio/caller-audio.ts';
import {
  FRAME_MS,
  initialSpeechDetector,
  SILENCE_STOP_MS,
  SPEECH_START_MS,
  stepSpeechDetector,
} from './speech-detector.ts';

/** Audio is streamed at twice real time in 100 ms deltas, like the real API (faster than playout). */
const DELTA_MS = 100;
const DELTA_INTERVAL_MS = 50;

/** The caller leg's audio format, as `session.update` sets it. */
type Format = 'pcmu' | 'pcm24k';
/** Bytes per millisecond: μ-law 8 kHz, PCM16 24 kHz. */
const BYTES_PER_MS: Record<Format, number> = { pcmu: 8, pcm24k: 48 };

/** μ-law 8 kHz → PCM16 LE 24 kHz (each sample held for three: enough for a stand-in voice). */
function toPcm24k(mulaw: Buffer): Buffer {
  const out = Buffer.alloc(mulaw.length * 6);
  for (let i = 0; i < mulaw.length; i++) {
    const sample = decodeMulaw(mulaw[i] as number);
    for (let k = 0; k < 3; k++) out.writeInt16LE(sample, i * 6 + k * 2);
  }
  return out;
}

/** Mean absolute amplitude (16-bit scale) of a chunk in `format`. */
function meanLevel(audio: Buffer, format: Format): number {
  let sum = 0;
  if (format === 'pcmu') {
    for (const byte of audio) sum += Math.abs(decodeMulaw(byte));
    return sum / Math.max(1, audio.length);
  }
  const samples = Math.floor(audio.length / 2);
  for (let i = 0; i < samples; i++) sum += Math.abs(audio.readInt16LE(i * 2));
  return sum / Math.max(1, samples);
}

/** `text` spoken in `format`, synthesised (and converted) once per text and format. */
const speechCache = new Map<string, Buffer>();
function speech(text: string, format: Format): Buffer {
  const key = `${format}:${text}`;
  let audio = speechCache.get(key);
  if (!audio) {
    audio =
      format === 'pcmu'
        ? (synthesiseSpeech(text) ??
          toneClip({ hz: 660, toneMs: Math.min(4000, text.length * 50), silenceMs: 0 }))
        : toPcm24k(speech(text, 'pcmu'));
    speechCache.set(key, audio);
  }
  return audio;
}

function handleConnection(ws: WebSocket): void {
  let ids = 0;
  const id = (prefix: string) => `${prefix}_fake_${++ids}`;
  const send = (event: Record<string, unknown>) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
  };
  let active: { responseId: string; itemId: string; timer: NodeJS.Timeout; text: string } | undefined;
  let vad = initialSpeechDetector();
  let speaking: { itemId: string; startedMs: number } | undefined;
  let bufferMs = 0;
  let format: Format = 'pcmu';

  const finish = (status: 'completed' | 'cancelled', audioMs: number) => {
    if (!active) return;
    const { responseId, itemId, timer, text } = active;
    clearInterval(timer);
    active = undefined;
    if (status === 'completed') {
      send({
        type: 'response.output_audio.done',
        response_id: responseId,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
      });
      send({
        type: 'response.output_audio_transcript.done',
        response_id: responseId,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        transcript: text,
      });
    }
    const outputAudioTokens = Math.ceil(audioMs / 50);
    send({
      type: 'response.done',
      response: {
        id: responseId,
        object: 'realtime.response',
        status,
        ...(status === 'cancelled' ? { status_details: { type: 'cancelled', reason: 'turn_detected' } } : {}),
        usage: {
          total_tokens: 200 + outputAudioTokens,
          input_tokens: 200,
          output_tokens: outputAudioTokens + 20,
          input_token_details: {
            text_tokens: 150,
            audio_tokens: 50,
            cached_tokens: 0,
            cached_tokens_details: { text_tokens: 0, audio_tokens: 0 },
          },
          output_token_details: { text_tokens: 20, audio_tokens: outputAudioTokens },
        },
      },
    });
  };

  const respond = (text: string) => {
    if (active) finish('cancelled', 0);
    const responseId = id('resp');
    const itemId = id('item');
    const audio = speech(text, format);
    const deltaBytes = DELTA_MS * BYTES_PER_MS[format];
    let offset = 0;
    send({
      type: 'response.created',
      response: { id: responseId, object: 'realtime.response', status: 'in_progress' },
    });
    send({
      type: 'response.output_item.added',
      response_id: responseId,
      output_index: 0,
      item: { id: itemId, type: 'message', role: 'assistant' },
    });
    send({
      type: 'response.output_audio_transcript.delta',
      response_id: responseId,
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      delta: text,
    });
    const timer = setInterval(() => {
      if (offset >= audio.length) return finish('completed', audio.length / BYTES_PER_MS[format]);
      const chunk = audio.subarray(offset, offset + deltaBytes);
      offset += chunk.length;
      send({
        type: 'response.output_audio.delta',
        response_id: responseId,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta: chunk.toString('base64'),
      });
    }, DELTA_INTERVAL_MS);
    active = { responseId, itemId, timer, text };
  };

  /** Server VAD over each 20 ms frame of the appended audio. */
  const hearFrame = (frame: Buffer) => {
    bufferMs += frame.length / BYTES_PER_MS[format];
    const step = stepSpeechDetector(vad, meanLevel(frame, format));
    vad = step.state;
    if (step.event === 'speech_started') {
      speaking = { itemId: id('item'), startedMs: bufferMs - SPEECH_START_MS };
      send({
        type: 'input_audio_buffer.speech_started',
        audio_start_ms: Math.round(speaking.startedMs),
        item_id: speaking.itemId,
      });
      if (active) finish('cancelled', 0); // interrupt_response: true
    } else if (step.event === 'speech_stopped' && speaking) {
      const { itemId, startedMs } = speaking;
      const endMs = bufferMs - SILENCE_STOP_MS;
      const seconds = Math.max(0, endMs - startedMs) / 1000;
      speaking = undefined;
      send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: Math.round(endMs), item_id: itemId });
      send({ type: 'input_audio_buffer.committed', item_id: itemId, previous_item_id: null });
      send({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: itemId,
        content_index: 0,
        transcript: `(${seconds.toFixed(1)} s of caller speech; the fake agent has no speech recognition)`,
        usage: { type: 'duration', seconds: Math.ceil(seconds) },
      });
      respond(
        `I heard you speak for about ${Math.round(seconds)} seconds. I am the local fake agent. Set an OpenAI key to talk to a real model.`,
      );
    }
  };
  const hear = (audio: Buffer) => {
    const frameBytes = FRAME_MS * BYTES_PER_MS[format];
    for (let offset = 0; offset + frameBytes <= audio.length; offset += frameBytes) {
      hearFrame(audio.subarray(offset, offset + frameBytes));
    }
  };

  send({ type: 'session.created', session: { type: 'realtime', id: id('sess') } });
  ws.on('message', (data) => {
    let event: {
      type?: string;
      audio?: string;
      response?: { instructions?: string };
      session?: { audio?: { input?: { format?: { type?: string } } } };
    };
    try {
      event = JSON.parse(data.toString());
    } catch {
      return send({
        type: 'error',
        error: { type: 'invalid_request_error', code: 'invalid_json', message: 'Not JSON.' },
      });
    }
    switch (event.type) {
      case 'session.update':
        if (event.session?.audio?.input?.format?.type === 'audio/pcm') format = 'pcm24k';
        else if (event.session?.audio?.input?.format?.type === 'audio/pcmu') format = 'pcmu';
        return send({ type: 'session.updated', session: { type: 'realtime' } });
      case 'input_audio_buffer.append':
        if (typeof event.audio === 'string') hear(Buffer.from(event.audio, 'base64'));
        return;
      case 'response.create':
        return respond(
          quotedLines(event.response?.instructions) ?? 'Hello! This is the local fake agent. How can I help?',
        );
      case 'response.cancel':
        if (active) finish('cancelled', 0);
        else
          send({
            type: 'error',
            error: {
              type: 'invalid_request_error',
              code: 'response_cancel_not_active',
              message: 'No active response.',
            },
          });
        return;
      default:
        return;
    }
  });
  ws.on('close', () => {
    if (active) clearInterval(active.timer);
  });
  ws.on('error', () => undefined);
}

export interface FakeRealtimeAgent {
  /** `ws://127.0.0.1:port/v1/realtime`: put it in OPENAI_REALTIME_URL. */
  url: string;
  close(): Promise<void>;
}

/** Starts the fake agent on a loopback port (0 = any free port). */
export async function startFakeRealtimeAgent(options: { port?: number } = {}): Promise<FakeRealtimeAgent> {
  const http = createServer((_req, res) => {
    res.writeHead(426).end();
  });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', handleConnection);
  http.listen(options.port ?? 0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * Every line the instructions ask to be said word for word, in order: the recording disclosure
 * (`First say exactly: "…"`) and then the greeting (`saying exactly: "…"`), as a real model would.
 */
export function quotedLines(instructions: string | undefined): string | undefined {
  const lines = [...(instructions ?? '').matchAll(/\bsay(?:ing)? exactly: "([^"]+)"/g)].map((m) => m[1]);
  return lines.length > 0 ? lines.join(' ') : undefined;
}
