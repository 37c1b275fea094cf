import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type FakeRealtimeAgent, quotedLines, startFakeRealtimeAgent } from './agent.ts';

/**
 * The local fake agent that `npm start` runs without an OpenAI key: it must speak the format
 * each session asks for (μ-law for phones, 24 kHz PCM16 for browsers) and hear the caller in it.
 */
let agent: FakeRealtimeAgent;
let url: string;
beforeAll(async () => {
  agent = await startFakeRealtimeAgent();
  url = agent.url;
});
afterAll(async () => {
  await agent?.close();
});

type Event = { type: string; delta?: string; [key: string]: unknown };

async function session(format: Record<string, unknown>) {
  const ws = new WebSocket(url);
  const events: Event[] = [];
  const waiters: { match: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  ws.on('message', (data) => {
    const event = JSON.parse(data.toString()) as Event;
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.match(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  await once(ws, 'open');
  const next = (type: string) =>
    new Promise<Event>((resolve) => {
      const found = events.find((e) => e.type === type);
      if (found) resolve(found);
      else waiters.push({ match: (e) => e.type === type, resolve });
    });
  ws.send(
    JSON.stringify({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { format }, output: { format } } },
    }),
  );
  await next('session.updated');
  return { ws, events, next };
}

const audioBytes = (events: Event[]) =>
  events
    .filter((e) => e.type === 'response.output_audio.delta')
    .reduce((sum, e) => sum + Buffer.from(String(e.delta), 'base64').length, 0);

/** 20 ms frames: a loud square wave and silence, in each format. */
const pcm16Loud = () => {
  const frame = Buffer.alloc(960);
  for (let i = 0; i < frame.length; i += 2) frame.writeInt16LE(i % 4 === 0 ? 12000 : -12000, i);
  return frame;
};
const FRAMES = {
  pcmu: { loud: Buffer.alloc(160, 0x00), silent: Buffer.alloc(160, 0xff) }, // μ-law 0x00: loudest; 0xff: zero
  pcm: { loud: pcm16Loud(), silent: Buffer.alloc(960) },
};

describe('the lines the local fake agent says word for word', () => {
  it.each([
    ['the greeting', 'Greet the caller by saying exactly: "Hello there."', 'Hello there.'],
    [
      'the recording disclosure, then the greeting',
      'First say exactly: "This call is recorded." Then, in the same turn: greet the caller by saying exactly: "Hi!"',
      'This call is recorded. Hi!',
    ],
    ['nothing quoted', 'Greet the caller briefly and ask how you can help.', undefined],
    ['no instructions', undefined, undefined],
  ])('%s', (_name, instructions, said) => {
    expect(quotedLines(instructions)).toBe(said);
  });
});

describe('the local fake agent', () => {
  it.each([
    ['a phone call (μ-law 8 kHz)', { type: 'audio/pcmu' }, 8, FRAMES.pcmu],
    ['a browser call (PCM16 24 kHz)', { type: 'audio/pcm', rate: 24000 }, 48, FRAMES.pcm],
  ])('speaks and hears %s', async (_name, format, bytesPerMs, frames) => {
    const { ws, events, next } = await session(format);
    ws.send(
      JSON.stringify({
        type: 'response.create',
        response: { instructions: 'Greet, saying exactly: "Hello there."' },
      }),
    );
    const done = await next('response.done');
    expect(done).toMatchObject({ response: { status: 'completed' } });
    // The same clip in either format: whole samples, and well over a few hundred ms.
    const bytes = audioBytes(events);
    expect(bytes % (bytesPerMs === 48 ? 2 : 1)).toBe(0);
    expect(bytes / bytesPerMs).toBeGreaterThan(300);

    // Background, then one second of syllables (160 ms loud, 40 ms quiet), then silence:
    // speech_started, then stopped and answered.
    const append = (frame: Buffer) =>
      ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: frame.toString('base64') }));
    for (let i = 0; i < 10; i++) append(frames.silent);
    for (let i = 0; i < 50; i++) append(i % 10 < 8 ? frames.loud : frames.silent);
    await next('input_audio_buffer.speech_started');
    for (let i = 0; i < 40; i++) append(frames.silent);
    const heard = await next('conversation.item.input_audio_transcription.completed');
    expect(String(heard.transcript)).toMatch(/^\(1\.0 s of caller speech/);
    ws.close();
  });
});
