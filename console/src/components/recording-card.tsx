import { api } from '../api/client.ts';
import type { Call, RecordingLink } from '../api/types.ts';
import { formatBytes, formatDateTime, formatDuration } from '../lib/format.ts';
import { recordingParts } from '../lib/recording-parts.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';
import { FormError, Loading } from './states.tsx';
import { Badge, Card } from './ui.tsx';
import { useConfirm } from './confirm-dialog.tsx';

/**
 * The call's recording: a player with a short-lived link fetched only when the recording is
 * ready, its length, channels and size, how long it is kept, and (for those who may) delete.
 */
export function RecordingCard({
  call,
  canDelete,
  onChanged,
}: {
  call: Call;
  canDelete: boolean;
  onChanged: () => void;
}) {
  const recording = call.recording;
  if (!recording || recording.status === 'off') return null;
  return (
    <Card title="Recording">
      {recording.status === 'recording' && (
        <p>
          <Badge tone="live">Recording</Badge> The recording is written while the call goes on and is ready a
          few seconds after it ends.
        </p>
      )}
      {recording.status === 'failed' && (
        <p>
          <Badge tone="bad">Not stored</Badge>{' '}
          {recording.failure ?? 'Nothing playable was stored for this call.'}
        </p>
      )}
      {recording.status === 'deleted' && (
        <p className="muted">Deleted {formatDateTime(recording.deletedAt)}.</p>
      )}
      {recording.status === 'ready' && (
        <ReadyRecording
          callId={call.id}
          expiresAt={recording.expiresAt}
          canDelete={canDelete}
          onChanged={onChanged}
        />
      )}
    </Card>
  );
}

function ReadyRecording({
  callId,
  expiresAt,
  canDelete,
  onChanged,
}: {
  callId: string;
  expiresAt: string | undefined;
  canDelete: boolean;
  onChanged: () => void;
}) {
  const path = `/v1/calls/${encodeURIComponent(callId)}/recording`;
  const link = useApi(() => api.get<RecordingLink>(path), callId);
  const { busy, error, run } = useFormAction();
  const confirm = useConfirm();

  async function remove() {
    if (
      !(await confirm({
        title: 'Delete this recording?',
        message: 'It cannot be brought back.',
        confirmLabel: 'Delete recording',
        danger: true,
      }))
    )
      return;
    await run(async () => {
      await api.delete(path);
      onChanged();
    });
  }

  if (link.state === 'loading') return <Loading label="Loading recording…" />;
  if (link.state === 'error') return <FormError error={link.error} />;
  const r = link.data;
  const parts = recordingParts(r);
  return (
    <div className="recording">
      {parts.length === 1 ? (
        // biome-ignore lint/a11y/useMediaCaption: the transcript on this page is the caption.
        <audio controls preload="metadata" src={r.url} aria-label="Call recording">
          <a href={r.url}>Download the recording</a>
        </audio>
      ) : (
        <ol className="recording-parts" aria-label="Recording parts">
          {parts.map((part) => (
            <li key={part.key}>
              <span>
                {part.label} <span className="muted small">({part.detail})</span>
              </span>
              {/* biome-ignore lint/a11y/useMediaCaption: the transcript on this page is the caption. */}
              <audio controls preload="metadata" src={part.url} aria-label={`Call recording, ${part.label}`}>
                <a href={part.url}>Download {part.label}</a>
              </audio>
              <a href={part.url} download>
                Download {part.label.toLowerCase()}
              </a>
            </li>
          ))}
        </ol>
      )}
      <p className="muted small">
        {formatDuration(r.durationSeconds)} · {r.channels === 'dual' ? 'caller left, agent right' : 'mono'} ·{' '}
        {formatBytes(r.bytes)}
        {parts.length > 1 ? ` · ${parts.length} parts: the call moved to another server once or more` : ''}
        {expiresAt ? ` · kept until ${formatDateTime(expiresAt)}` : ''}
      </p>
      <p className="recording-actions">
        {parts.length === 1 && (
          <a className="button" href={r.url} download>
            Download WAV
          </a>
        )}
        {canDelete && (
          <button type="button" className="button button-danger" onClick={remove} disabled={busy}>
            {busy ? 'Deleting…' : 'Delete recording'}
          </button>
        )}
      </p>
      <FormError error={error} />
    </div>
  );
}
