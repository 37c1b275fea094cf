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
    recorder.record('c1', { role: 'caller', text: 'Question?', startedAt: 't' });
    recorder.record('c1', { role: 'caller', text: 'Question again?', startedAt: 't' });
    agentTurns.onTranscriptDone('r1', 'a1', 'Greeting.');
    agentTurns.onResponseDone('r1');
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
    agentTurns.onTranscriptDelta('r1', 'a1', 'alpha beta ');
    agentTurns.onTranscriptDelta('r1', 'a1', 'gamma delta');
    agentTurns.onCut('a1', 500);
    agentTurns.onResponseDone('r1');
    agentTurns.onTranscriptDone('r1', 'a1', 'alpha beta gamma delta');
    await persist.flush();
    expect(written).toEqual([
      expect.objectContaining({ seq: 1, role: 'agent', text: 'alpha beta', interrupted: true, itemId: 'a1' }),
    ]);
  });

  it('skips empty turns but keeps the sequence moving', async () => {
    const { written, persist, recorder } = setup();
    recorder.reserve('c1');
    recorder.record('c1', { role: 'caller', text: '  ', startedAt: 't' });
    recorder.record('c2', { role: 'caller', text: 'Hello', startedAt: 't' });
    await persist.flush();
    expect(written.map((t) => [t.seq, t.text])).toEqual([[2, 'Hello']]);
  });
});
