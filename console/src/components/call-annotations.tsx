import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import type { Escalation, Note } from '../api/types.ts';
import { formatDateTime } from '../lib/format.ts';
import { FormError } from './states.tsx';
import { Badge, Card, Field } from './ui.tsx';

/** Notes and escalations of a call, with the forms that add them (hidden from read-only roles). */
export function CallAnnotations({
  callId,
  notes,
  escalations,
  canEdit,
  onChange,
}: {
  callId: string;
  notes: Note[];
  escalations: Escalation[];
  canEdit: boolean;
  onChange: () => void;
}) {
  const [noteText, setNoteText] = useState('');
  const [reason, setReason] = useState('');
  const [priority, setPriority] = useState('normal');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState<'note' | 'escalation' | null>(null);
  const path = `/v1/calls/${encodeURIComponent(callId)}`;

  async function submit(kind: 'note' | 'escalation', event: FormEvent) {
    event.preventDefault();
    setBusy(kind);
    setError(null);
    try {
      if (kind === 'note') {
        await api.post(`${path}/notes`, { text: noteText });
        setNoteText('');
      } else {
        await api.post(`${path}/escalations`, { reason, priority });
        setReason('');
      }
      onChange();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <Card title={`Escalations (${escalations.length})`}>
        {escalations.length === 0 ? (
          <p className="muted small">No escalations.</p>
        ) : (
          <ul className="annotation-list">
            {escalations.map((e) => (
              <li key={e.id}>
                <Badge tone={e.priority === 'urgent' || e.priority === 'high' ? 'bad' : 'warn'}>
                  {e.priority}
                </Badge>{' '}
                {e.reason}
                <span className="muted small block">{formatDateTime(e.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
        {canEdit && (
          <form className="form form-compact" onSubmit={(e) => submit('escalation', e)}>
            <Field label="Escalation reason">
              {(props) => (
                <input
                  {...props}
                  required
                  maxLength={2000}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                />
              )}
            </Field>
            <Field label="Priority">
              {(props) => (
                <select {...props} value={priority} onChange={(e) => setPriority(e.target.value)}>
                  <option value="low">Low</option>
                  <option value="normal">Normal</option>
                  <option value="high">High</option>
                  <option value="urgent">Urgent</option>
                </select>
              )}
            </Field>
            <button type="submit" className="button" disabled={busy !== null}>
              {busy === 'escalation' ? 'Escalating…' : 'Escalate'}
            </button>
          </form>
        )}
      </Card>
      <Card title={`Notes (${notes.length})`}>
        {notes.length === 0 ? (
          <p className="muted small">No notes.</p>
        ) : (
          <ul className="annotation-list">
            {notes.map((n) => (
              <li key={n.id}>
                <p>{n.text}</p>
                <span className="muted small">
                  {n.author ? `${n.author} · ` : ''}
                  {formatDateTime(n.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
        {canEdit && (
          <form className="form form-compact" onSubmit={(e) => submit('note', e)}>
            <Field label="New note">
              {(props) => (
                <textarea
                  {...props}
                  required
                  rows={3}
                  maxLength={10000}
                  value={noteText}
                  onChange={(e) => setNoteText(e.target.value)}
                />
              )}
            </Field>
            <button type="submit" className="button" disabled={busy !== null}>
              {busy === 'note' ? 'Adding…' : 'Add note'}
            </button>
          </form>
        )}
        <FormError error={error} />
      </Card>
    </>
  );
}
