import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, queryString } from '../api/client.ts';
import { canAdminister, useUser } from '../api/session.tsx';
import type { DeliveryAttempt, Page, RotatedSecret } from '../api/types.ts';
import { EmptyState, ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, PageHeader, SecretBox } from '../components/ui.tsx';
import { formatDateTime, formatLatency, formatRelative } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { useConfirm } from '../components/confirm-dialog.tsx';

const TONE = { delivered: 'good', failed: 'warn', gone: 'bad', blocked: 'bad' } as const;

export default function WebhooksPage() {
  const user = useUser();
  const confirm = useConfirm();
  const admin = canAdminister(user.role);
  const [search, setSearch] = useSearchParams();
  const callId = search.get('callId') ?? '';
  const [cursor, setCursor] = useState<string | null>(null);
  const deliveries = useApi(
    () =>
      api.get<Page<DeliveryAttempt>>(`/v1/webhook-deliveries${queryString({ limit: 50, callId, cursor })}`),
    `${callId}:${cursor}`,
    { pollMs: cursor ? undefined : 10_000 },
  );
  const [rotated, setRotated] = useState<RotatedSecret | null>(null);
  const [error, setError] = useState<Error | null>(null);

  async function rotate() {
    const ok = await confirm({
      title: 'Create a new signing secret?',
      message: 'The current one keeps signing for 24 hours, so receivers have time to switch.',
      confirmLabel: 'Rotate secret',
    });
    if (!ok) return;
    setError(null);
    try {
      setRotated(await api.post<RotatedSecret>('/v1/webhook-secret/rotate'));
    } catch (err) {
      setError(err as Error);
    }
  }

  return (
    <>
      <PageHeader
        title="Webhooks"
        description={
          <>
            Signed call events (started, ended, summarized, escalated) sent to your endpoint. Set the URL in{' '}
            <Link to="/settings">Settings</Link> or per agent.
          </>
        }
        actions={
          admin ? (
            <button type="button" className="button" onClick={rotate}>
              Rotate signing secret
            </button>
          ) : undefined
        }
      />
      {rotated && (
        <Card>
          <SecretBox
            label="New webhook signing secret"
            secret={rotated.secret}
            note={
              rotated.previousSecretExpiresAt
                ? `Shown only once. The previous secret also signs until ${formatDateTime(rotated.previousSecretExpiresAt)}.`
                : 'Shown only once. Verify the webhook-signature header with it.'
            }
          />
        </Card>
      )}
      <FormError error={error} />
      <form className="toolbar" aria-label="Delivery filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-inline">
          <label htmlFor="d-call">Call id</label>
          <input
            id="d-call"
            placeholder="call_…"
            defaultValue={callId}
            onBlur={(e) => {
              setCursor(null);
              setSearch(e.target.value ? { callId: e.target.value.trim() } : {}, { replace: true });
            }}
          />
        </div>
      </form>
      {deliveries.state === 'loading' && <Loading label="Loading deliveries…" />}
      {deliveries.state === 'error' && <ErrorState error={deliveries.error} onRetry={deliveries.retry} />}
      {deliveries.state === 'ready' && deliveries.data.items.length === 0 && (
        <EmptyState title="No deliveries yet">
          Once a webhook URL is set, every call event and each retry shows up here.
        </EmptyState>
      )}
      {deliveries.state === 'ready' && deliveries.data.items.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="Webhook deliveries">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Result</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">When</th>
                  <th scope="col">Time</th>
                  <th scope="col">Next retry</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data.items.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <span className="strong">{d.eventType}</span>
                      {d.callId && (
                        <Link className="muted small block" to={`/calls/${d.callId}`}>
                          {d.callId}
                        </Link>
                      )}
                    </td>
                    <td>
                      <Badge tone={TONE[d.status]}>{d.status}</Badge> {d.httpStatus ?? ''}
                      {d.error && <span className="muted small block">{d.error}</span>}
                    </td>
                    <td>#{d.attempt}</td>
                    <td>{formatRelative(d.attemptedAt)}</td>
                    <td>{formatLatency(d.durationMs)}</td>
                    <td>{d.nextAttemptAt ? formatDateTime(d.nextAttemptAt) : 'Final'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button type="button" className="button" disabled={!cursor} onClick={() => setCursor(null)}>
              Newest
            </button>
            <button
              type="button"
              className="button"
              disabled={!deliveries.data.nextCursor}
              onClick={() => setCursor(deliveries.data.nextCursor)}
            >
              Older
            </button>
          </nav>
        </>
      )}
    </>
  );
}
