import type { TranscriptTurn } from '../api/types.ts';
import { formatOffset } from '../lib/format.ts';

const ROLE_LABEL: Record<TranscriptTurn['role'], string> = { agent: 'Agent', caller: 'Caller', tool: 'Tool' };

/** Turns in order: who spoke, when (from the call's start), interrupted turns marked, tool turns set apart. */
export function Transcript({
  turns,
  callStart,
  live,
}: {
  turns: TranscriptTurn[];
  callStart: string;
  live: boolean;
}) {
  if (turns.length === 0) {
    return (
      <p className="muted">
        {live ? 'Turns appear here as they are spoken.' : 'Nothing was said on this call.'}
      </p>
    );
  }
  return (
    <ol className="transcript" aria-label="Transcript">
      {turns.map((turn) => (
        <li key={turn.seq} className={`turn turn-${turn.role} ${turn.interrupted ? 'turn-interrupted' : ''}`}>
          <div className="turn-meta">
            <span className="turn-role">{ROLE_LABEL[turn.role]}</span>
            <time dateTime={turn.startedAt}>{formatOffset(callStart, turn.startedAt)}</time>
            {turn.interrupted && <span className="turn-flag">interrupted</span>}
          </div>
          {turn.role === 'tool' ? (
            <pre className="turn-tool">{turn.text}</pre>
          ) : (
            <p className="turn-text">{turn.text}</p>
          )}
        </li>
      ))}
    </ol>
  );
}
