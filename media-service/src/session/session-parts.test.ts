import { describe, expect, it } from 'vitest';
import { base64ByteLength, bytesPerMs } from './call-transport.ts';
import { heardText } from './heard-text.ts';
import { PendingAudio } from './pending-audio.ts';
import { PlaybackTracker } from './playback-tracker.ts';
import { DEFAULT_RECONNECT_POLICY, isFatalClose, reconnectDelayMs } from './reconnect-policy.ts';
import { ResponseSequencer } from './response-sequencer.ts';
import { createSessionRegistry, type LiveSession } from './session-registry.ts';
import { usageFromResponse, usageFromTranscription } from './usage.ts';

describe('PlaybackTracker', () => {
  it('cuts at the played position from reports, clamped to what was sent', () => {
    const tracker = new PlaybackTracker(8);
    tracker.noteSent('r1', 'i1', 800);
    tracker.noteSent('r1', 'i1', 800);
    tracker.notePlayed('i1', 100);
    tracker.notePlayed('i1', 50); // out of order: never goes back
    expect(tracker.unplayedMs()).toBe(100);
    expect(tracker.cut()).toEqual({ itemId: 'i1', responseId: 'r1', audioEndMs: 100, sentMs: 200 });
    expect(tracker.accepts('r1', 'i1')).toBe(false);
    expect(tracker.accepts('r2', 'i2')).toBe(true);
    tracker.notePlayed('i1', 200); // a late echo after the clear changes nothing
    expect(tracker.isPlaying()).toBe(false);
  });
  it('clamps a played report beyond the sent audio', () => {
    const tracker = new PlaybackTracker(48);
    tracker.noteSent('r1', 'i1', 4800); // 100 ms of 24 kHz PCM16
    tracker.notePlayed('i1', 99);
    expect(tracker.cut()?.audioEndMs).toBe(99);
  });
  it('has nothing to cut when everything sent was heard', () => {
    const tracker = new PlaybackTracker(8);
    tracker.noteSent('r1', 'i1', 80);
    tracker.notePlayed('i1', 10);
    expect(tracker.cut()).toBeUndefined();
  });
  it('drained() resolves when the last audio is reported played', async () => {
    const tracker = new PlaybackTracker(8);
    tracker.noteSent('r1', 'i1', 160);
    const drained = tracker.drained(60_000);
    tracker.notePlayed('i1', 20);
    await drained;
    expect(tracker.isPlaying()).toBe(false);
  });
});

describe('heardText', () => {
  it.each([
    ['One two three four', 0, 1000, ''],
    ['One two three four', 1000, 1000, 'One two three four'],
    ['One two three four', 2000, 1000, 'One two three four'],
    ['One two three four', 500, 1000, 'One two'],
    ['One two three four', 450, 1000, 'One two'],
    ['Supercalifragilistic', 500, 1000, ''],
    ['  padded text  ', 1000, 1000, 'padded text'],
    ['anything', 100, 0, ''],
  ])('heardText(%j, %i, %i) = %j', (text, heard, total, expected) => {
    expect(heardText(text, heard, total)).toBe(expected);
  });
});

describe('audio sizes', () => {
  it.each([
    ['', 0],
    ['AA==', 1],
    ['AAA=', 2],
    ['AAAA', 3],
    [Buffer.alloc(160).toString('base64'), 160],
  ])('base64ByteLength(%j) = %i', (text, bytes) => {
    expect(base64ByteLength(text)).toBe(bytes);
  });
  it('bytes per ms per format', () => {
    expect(bytesPerMs({ type: 'audio/pcmu' })).toBe(8);
    expect(bytesPerMs({ type: 'audio/pcma' })).toBe(8);
    expect(bytesPerMs({ type: 'audio/pcm', rate: 24000 })).toBe(48);
  });
});

describe('PendingAudio', () => {
  it('keeps everything within the bound, in order, then drops the oldest', () => {
    const pending = new PendingAudio(320);
    pending.push(Buffer.alloc(160, 1));
    pending.push(Buffer.alloc(160, 2).toString('base64'));
    const sent: (Buffer | string)[] = [];
    expect(pending.drain((c) => sent.push(c))).toBe(2);
    expect(sent[0]).toEqual(Buffer.alloc(160, 1));
    for (let i = 0; i < 5; i++) pending.push(Buffer.alloc(160, i));
    expect(pending.size).toBe(2);
    expect(pending.dropped).toBe(3);
  });
});

describe('reconnect policy', () => {
  it('retries at once, then backs off exponentially up to the cap', () => {
    const policy = { ...DEFAULT_RECONNECT_POLICY, baseDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4, 5].map((n) => reconnectDelayMs(n, policy))).toEqual([0, 100, 200, 400, 500]);
  });
  it.each([
    [1000, false],
    [1001, false],
    [1006, false],
    [1008, true],
    [4001, true],
  ])('close %i fatal=%s', (code, fatal) => {
    expect(isFatalClose(code)).toBe(fatal);
  });
});

describe('ResponseSequencer', () => {
  it('holds a response.create while one is active and sends it after done', () => {
    const sent: unknown[] = [];
    const sequencer = new ResponseSequencer((e) => sent.push(e));
    sequencer.created('r1');
    expect(sequencer.request({ instructions: 'x' })).toBe(false);
    expect(sent).toEqual([]);
    sequencer.done('r1');
    expect(sent).toEqual([{ type: 'response.create', response: { instructions: 'x' } }]);
    expect(sequencer.cancel()).toBeUndefined();
    sequencer.created('r2');
    expect(sequencer.cancel()).toBe('r2');
    expect(sent.at(-1)).toEqual({ type: 'response.cancel' });
  });
});

describe('usage', () => {
  it('maps response.done usage (cached tokens are a subset)', () => {
    expect(
      usageFromResponse({
        input_tokens: 10,
        output_tokens: 5,
        input_token_details: {
          text_tokens: 4,
          audio_tokens: 6,
          cached_tokens: 3,
          cached_tokens_details: { text_tokens: 3 },
        },
        output_token_details: { text_tokens: 1, audio_tokens: 4 },
      }),
    ).toEqual({
      responses: 1,
      inputTextTokens: 4,
      inputAudioTokens: 6,
      inputCachedTokens: 3,
      inputCachedTextTokens: 3,
      inputCachedAudioTokens: 0,
      outputTextTokens: 1,
      outputAudioTokens: 4,
    });
    expect(usageFromResponse(undefined)).toEqual({ responses: 1 });
  });
  it('maps transcription usage by tokens or duration', () => {
    expect(usageFromTranscription({ type: 'tokens', input_tokens: 7, output_tokens: 2 })).toEqual({
      transcriptionInputTokens: 7,
      transcriptionOutputTokens: 2,
    });
    expect(usageFromTranscription({ type: 'duration', seconds: 3.5 })).toEqual({ transcriptionSeconds: 3.5 });
  });
});

describe('session registry', () => {
  const fakeSession = (callId: string) => {
    let close!: () => void;
    const closed = new Promise<void>((resolve) => {
      close = resolve;
    });
    const session: LiveSession = { callId, closed, end: async () => close() };
    return { session, close };
  };

  it('counts reservations against the cap, refuses duplicates and draining, frees on close', async () => {
    const registry = createSessionRegistry(2);
    const a = registry.reserve('a');
    const b = registry.reserve('b');
    expect(a.ok && b.ok).toBe(true);
    expect(registry.reserve('c')).toEqual({ ok: false, reason: 'capacity' });
    expect(registry.reserve('a')).toEqual({ ok: false, reason: 'duplicate' });
    if (!a.ok || !b.ok) throw new Error('unreachable');
    b.slot.release();
    b.slot.release();
    expect(registry.snapshot()).toEqual({ liveCalls: 1, maxCalls: 2, draining: false });
    const live = fakeSession('a');
    a.slot.bind(live.session);
    expect(registry.get('a')).toBe(live.session);
    registry.startDraining();
    expect(registry.reserve('d')).toEqual({ ok: false, reason: 'draining' });
    const idle = registry.idle();
    await registry.endAll('shutdown');
    await idle;
    expect(registry.snapshot().liveCalls).toBe(0);
  });

  it('ends a session that binds after endAll (a call answered during shutdown)', async () => {
    const registry = createSessionRegistry(2);
    const early = registry.reserve('early');
    const late = registry.reserve('late');
    if (!early.ok || !late.ok) throw new Error('unreachable');
    const first = fakeSession('early');
    early.slot.bind(first.session);
    const ended: string[] = [];
    const second = fakeSession('late');
    const lateSession: LiveSession = {
      ...second.session,
      end: async (reason) => {
        ended.push(reason);
        second.close();
      },
    };
    registry.startDraining();
    await registry.endAll('shutdown');
    expect(registry.snapshot().liveCalls).toBe(1);
    late.slot.bind(lateSession);
    await registry.idle();
    expect(ended).toEqual(['shutdown']);
    expect(registry.snapshot().liveCalls).toBe(0);
  });
});
