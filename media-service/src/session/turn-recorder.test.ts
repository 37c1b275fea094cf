import { describe, expect, it } from 'vitest';
import type { TranscriptTurn } from '#shared/calls/call-types.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { AgentTurns } from './agent-turns.ts';
import { PersistQueue } from './persist-queue.ts';
import { TurnRecorder } from './turn-recorder.ts';

function setup(failFirstWrites = 0) {
  const written: TranscriptTurn[] = [];
  let failures = failFirstWrites;
  const persist = new PersistQueue(createLogger({ level: 'error' }), { baseDelayMs: 1 });
  const recorder = new TurnRecorder({
    callId: 'call_1',
    persist,
    write: async (turn) => {
      if (failures-- > 0) throw new Error('throttled');
      written.push(turn);
    },
  });
  return { written, persist, recorder, agentTurns: new AgentTurns(recorder, 8) };
}

describe('TurnRecorder and AgentTurns', () => {
  it('numbers turns in speaking order, stores each key once, retries failed writes', async () => {
    const { written, persist, recorder, agentTurns } = setup(2);
    agentTurns.onAudio('r1', 'a1', 800);
    recorder.reserve('c1'); // the caller stopped speaking; transcription still running
    agentTurns.onAudio('r2', 'a2', 800);
    agentTurns.onTranscriptDone('r2', 'a2', 'Reply.');
    agentTurns.onPlayed('a2', 100); // 800 bytes at 8 bytes/ms: played out
    recorder.record('c1', { role: 'caller', text: 'Question?', startedAt: 't' });
    recorder.record('c1', { role: 'caller', text: 'Question again?', startedAt: 't' });
    agentTurns.onTranscriptDone('r1', 'a1', 'Greeting.');
    agentTurns.onResponseDone('r1');
    agentTurns.onPlayed('a1', 100);
    await persist.flush();
    expect(written.map((t) => [t.seq, t.role, t.text])).toEqual([
      [3, 'agent', 'Reply.'],
      [2, 'caller', 'Question?'],
      [1, 'agent', 'Greeting.'],
    ]);
    expect(recorder.history().map((t) => t.seq)).toEqual([1, 2, 3]);
  });

  it('stores an interrupted agent turn with only what was heard, once', async () => {
    const { written, persist, agentTurns } = setup();
    agentTurns.onAudio('r1', 'a1', 8000); // 1 s generated
    // Words before the cut are news for the caller's captions; words streaming after it are not.
    expect(agentTurns.onTranscriptDelta('r1', 'a1', 'alpha beta ')).toBe(true);
    agentTurns.onCut('a1', 500);
    expect(agentTurns.onTranscriptDelta('r1', 'a1', 'gamma delta')).toBe(false);
    agentTurns.onResponseDone('r1');
    agentTurns.onTranscriptDone('r1', 'a1', 'alpha beta gamma delta');
    await persist.flush();
    expect(written).toEqual([
      expect.objectContaining({ seq: 1, role: 'agent', text: 'alpha beta', interrupted: true, itemId: 'a1' }),
    ]);
    // A late delta of the stored item opens nothing and is not shown.
    expect(agentTurns.onTranscriptDelta('r1', 'a1', 'epsilon')).toBe(false);
  });

  it('waits for playout: a turn generated but cut before it played out is stored as heard', async () => {
    const { written, persist, agentTurns } = setup();
    agentTurns.onAudio('r1', 'a1', 8000); // 1 s of audio, generated far faster than it plays
    agentTurns.onTranscriptDone('r1', 'a1', 'alpha beta gamma delta');
    agentTurns.onResponseDone('r1');
    agentTurns.onPlayed('a1', 300);
    await persist.flush();
    expect(written).toEqual([]); // still playing: not complete for the caller yet
    agentTurns.onCut('a1', 500);
    agentTurns.onPlayed('a1', 1000); // a late report for the cut item changes nothing
    await persist.flush();
    expect(written).toEqual([
      expect.objectContaining({ seq: 1, role: 'agent', text: 'alpha beta', interrupted: true, itemId: 'a1' }),
    ]);
  });

  it.each([
    ['call ends mid-item: only the played part, interrupted', {}, 'alpha beta', true],
    [
      'model link drops: audio already sent still plays, stored whole',
      { unplayedIsHeard: true },
      'alpha beta gamma delta',
      undefined,
    ],
  ])('%s', async (_name, options, text, interrupted) => {
    const { written, persist, agentTurns } = setup();
    agentTurns.onAudio('r1', 'a1', 8000);
    agentTurns.onTranscriptDone('r1', 'a1', 'alpha beta gamma delta');
    agentTurns.onPlayed('a1', 500);
    agentTurns.finishAll(options);
    await persist.flush();
    expect(written).toHaveLength(1);
    expect(written[0]?.text).toBe(text);
    expect(written[0]?.interrupted).toBe(interrupted);
  });

  it('stores a played-out turn whole once the last frame is reported', async () => {
    const { written, persist, agentTurns } = setup();
    agentTurns.onAudio('r1', 'a1', 1600); // 200 ms
    agentTurns.onTranscriptDone('r1', 'a1', 'Hello there.');
    agentTurns.onPlayed('a1', 180); // within one frame of the end
    await persist.flush();
    expect(written).toEqual([expect.objectContaining({ text: 'Hello there.' })]);
    expect(written[0]?.interrupted).toBeUndefined();
  });

  it('skips empty turns but keeps the sequence moving', async () => {
    const { written, persist, recorder } = setup();
    recorder.reserve('c1');
    recorder.record('c1', { role: 'caller', text: '  ', startedAt: 't' });
    recorder.record('c2', { role: 'caller', text: 'Hello', startedAt: 't' });
    await persist.flush();
    expect(written.map((t) => [t.seq, t.text])).toEqual([[2, 'Hello']]);
  });

  it('a skipped turn (failed transcription) is never stored, even if its transcript arrives late', async () => {
    const { written, persist, recorder } = setup();
    recorder.reserve('c1');
    recorder.reserve('c2');
    recorder.skip('c1');
    recorder.record('c1', { role: 'caller', text: 'late text', startedAt: 't' });
    recorder.record('c2', { role: 'caller', text: 'Hello', startedAt: 't' });
    await persist.flush();
    expect(written.map((t) => [t.seq, t.text])).toEqual([[2, 'Hello']]);
    expect(recorder.has('c1')).toBe(true);
  });
});
