import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { CreatedWebCall } from '../api/types.ts';
import { FormError } from './states.tsx';
import { Card } from './ui.tsx';

/**
 * "Talk to this agent": asks the API for a single-use browser-call link and opens the platform's
 * own call page (the web-call transport) inside the console, microphone allowed.
 */
export function TalkToAgent({ agentId }: { agentId: string }) {
  const [call, setCall] = useState<CreatedWebCall | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      setCall(await api.post<CreatedWebCall>('/v1/web-calls', { agentId, metadata: { source: 'console' } }));
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Talk to this agent">
      {!call && (
        <>
          <p className="muted small">
            A browser call with your microphone. It is stored like any other call, with transcript and
            summary.
          </p>
          <button
            type="button"
            className="button button-primary button-block"
            onClick={start}
            disabled={busy}
          >
            {busy ? 'Preparing…' : 'Talk to this agent'}
          </button>
        </>
      )}
      <FormError error={error} />
      {call && (
        <div className="talk">
          <iframe
            title="Browser call with the agent"
            src={call.url}
            allow="microphone; autoplay"
            className="talk-frame"
          />
          <div className="talk-actions">
            <Link to={`/calls/${call.callId}`}>Open this call</Link>
            <button type="button" className="button button-small" onClick={() => setCall(null)}>
              New call
            </button>
          </div>
        </div>
      )}
    </Card>
  );
}
