import { describe, expect, it } from 'vitest';
import { createLogger } from '#shared/logging/logger.ts';
import { AgentAudio } from './agent-audio.ts';
import { AgentTurns } from './agent-turns.ts';
import { type AgentAudioCut, type AudioTap, AudioTaps } from './audio-taps.ts';
import { LatencyTelemetry } from './latency-telemetry.ts';
import { PersistQueue } from './persist-queue.ts';
import { PlaybackTracker } from './playback-tracker.ts';
import { TurnRecorder } from './turn-recorder.ts';

const logger = createLogger({ write: () => undefined });
/** 100 ms of μ-law (8 bytes per ms) as the model sends it. */
const delta = (fill: number) => Buffer.alloc(800, fill).toString('base64');

/** A tap that writes down everything it sees, in order. */
function recordingTap() {
  const seen: string[] = [];
  const agentBytes = new Map<string, number>();
  const cuts: AgentAudioCut[] = [];
  const tap: AudioTap = {
    callerAudio: (audio) => seen.push(`caller ${typeof audio === 'string' ? 'base64' : 'bytes'}`),
    agentAudio: (itemId, audio) => {
      seen.push(`agent ${itemId} ${audio.byteLength}`);
      agentBytes.set(itemId, (agentBytes.get(itemId) ?? 0) + audio.byteLength);
    },
    agentPlayed: (itemId, playedMs) => seen.push(`played ${itemId} ${playedMs}`),
    agentCut: (cut) => {
      seen.push(`cut ${cut.itemId} at ${cut.audioEndMs} of ${cut.sentMs}`);
      cuts.push(cut);
    },
    close: async (reason) => {
      seen.push(`close ${reason}`);
    },
  };
  return { tap, seen, agentBytes, cuts };
}

function agentAudioWith(taps: AudioTaps) {
  const toCaller: string[] = [];
  const playback = new PlaybackTracker(8);
  const recorder = new TurnRecorder({
    callId: 'call_1',
    persist: new PersistQueue(logger),
    write: async () => {},
  });
  let activeResponse: string | undefined = 'r1';
  const audio = new AgentAudio({
    transport: {
      sendAgentAudio: (itemId, chunk) => toCaller.push(`${itemId} ${chunk.byteLength}`),
      clearPlayback: () => toCaller.push('clear'),
    },
    playback,
    agentTurns: new AgentTurns(recorder, 8),
    telemetry: new LatencyTelemetry(),
    taps,
    callStartedAtMs: Date.now(),
    send: () => undefined,
    cancelResponse: () => {
      const cancelled = activeResponse;
      activeResponse = undefined;
      return cancelled;
    },
  });
  return { audio, playback, toCaller };
}

describe('audio taps', () => {
  it('see the agent audio as heard: what was sent, the barge-in cut, and none of the cancelled rest', () => {
    const taps = new AudioTaps(logger);
    const recording = recordingTap();
    taps.subscribe(recording.tap);
    const { audio, playback, toCaller } = agentAudioWith(taps);

    for (let i = 0; i < 4; i++) audio.delta('r1', 'a1', delta(i)); // 400 ms sent
    playback.notePlayed('a1', 250);
    taps.agentPlayed('a1', 250);
    expect(audio.bargeIn()).toEqual({ itemId: 'a1', audioEndMs: 250 });
    expect(audio.delta('r1', 'a1', delta(9))).toBe(false); // the cancelled response streams on

    expect(recording.seen).toEqual([
      'agent a1 800',
      'agent a1 800',
      'agent a1 800',
      'agent a1 800',
      'played a1 250',
      'cut a1 at 250 of 400',
    ]);
    expect(recording.agentBytes.get('a1')).toBe(3200);
    // The tap saw exactly what the caller leg got.
    expect(toCaller).toEqual(['a1 800', 'a1 800', 'a1 800', 'a1 800', 'clear']);
  });

  it('cost nothing while nobody listens, and stop seeing audio once unsubscribed', () => {
    const taps = new AudioTaps(logger);
    expect(taps.active).toBe(false);
    const recording = recordingTap();
    const unsubscribe = taps.subscribe(recording.tap);
    expect(taps.active).toBe(true);
    taps.callerAudio(Buffer.alloc(160));
    taps.callerAudio('AAAA');
    unsubscribe();
    expect(taps.active).toBe(false);
    taps.callerAudio(Buffer.alloc(160));
    expect(recording.seen).toEqual(['caller bytes', 'caller base64']);
  });

  it('unsubscribes a tap that throws; the others keep listening; close reaches each once', async () => {
    const taps = new AudioTaps(logger);
    const healthy = recordingTap();
    let brokenCalls = 0;
    taps.subscribe({
      callerAudio: () => {
        brokenCalls++;
        throw new Error('recorder bug');
      },
      close: () => Promise.reject(new Error('never reached')),
    });
    taps.subscribe(healthy.tap);
    taps.callerAudio('AAAA');
    taps.callerAudio('AAAA');
    await taps.close('caller_hangup');
    await taps.close('caller_hangup');
    expect(brokenCalls).toBe(1);
    expect(healthy.seen).toEqual(['caller base64', 'caller base64', 'close caller_hangup']);
    expect(taps.active).toBe(false);
  });

  it('a failing close is logged, not thrown', async () => {
    const lines: string[] = [];
    const taps = new AudioTaps(createLogger({ write: (line) => lines.push(line) }));
    taps.subscribe({ close: () => Promise.reject(new Error('upload failed')) });
    await expect(taps.close('agent_hangup')).resolves.toBeUndefined();
    expect(lines.some((line) => line.includes('audio tap failed to close'))).toBe(true);
  });
});
