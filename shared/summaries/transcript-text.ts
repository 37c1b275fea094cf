import type { CallSummary, TranscriptTurn } from '../calls/call-types.ts';

/** Below this many words from the two parties there is nothing worth a model call. */
export const MIN_CONVERSATION_WORDS = 8;

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** The transcript as the model reads it: one `Role: text` line per turn, tool turns included. */
export function transcriptText(turns: readonly TranscriptTurn[]): string {
  return turns
    .filter((turn) => turn.text.trim() !== '')
    .map((turn) => {
      const role = turn.role === 'caller' ? 'Caller' : turn.role === 'agent' ? 'Agent' : 'Tool';
      return `${role}: ${turn.text.trim()}${turn.interrupted ? ' [interrupted]' : ''}`;
    })
    .join('\n');
}

/**
 * The summary of a call with no real conversation (no turns, or only a few words), written
 * without the model: it says so plainly. Returns undefined when the model is needed.
 */
export function summaryWithoutModel(turns: readonly TranscriptTurn[]): CallSummary | undefined {
  const spoken = turns.filter((t) => t.role !== 'tool' && t.text.trim() !== '');
  const callerWords = spoken.filter((t) => t.role === 'caller').reduce((n, t) => n + words(t.text), 0);
  const total = spoken.reduce((n, t) => n + words(t.text), 0);
  if (spoken.length === 0) {
    return {
      summary: 'No conversation took place: the call has no transcript.',
      sentiment: 'neutral',
      actionItems: [],
      qaScore: 0,
      qaReasons: ['Not scored: there was no conversation.'],
    };
  }
  if (total < MIN_CONVERSATION_WORDS || callerWords === 0) {
    return {
      summary: `The call was too short to summarize (${spoken.length} turn${spoken.length === 1 ? '' : 's'}, ${total} word${total === 1 ? '' : 's'}${callerWords === 0 ? ', the caller did not speak' : ''}).`,
      sentiment: 'neutral',
      actionItems: [],
      qaScore: 0,
      qaReasons: ['Not scored: the conversation was too short.'],
    };
  }
  return undefined;
}
