import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, isMissingRoute } from '../api/client.ts';
import type { KnowledgeBase } from '../api/contracts.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { Page } from '../api/types.ts';
import { EmptyState, ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, Field, PageHeader } from '../components/ui.tsx';
import { formatRelative, humanize } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';

export default function KnowledgeBasesPage() {
  const user = useUser();
  const navigate = useNavigate();
  const list = useApi(() => api.get<Page<KnowledgeBase>>('/v1/knowledge-bases?limit=100'), 'kbs');
  const unavailable = list.state === 'error' && isMissingRoute(list.error);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [refresh, setRefresh] = useState('daily');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { knowledgeBase } = await api.post<{ knowledgeBase: KnowledgeBase }>('/v1/knowledge-bases', {
        name,
        sources: [{ type: 'website', url }],
        refresh,
      });
      navigate(`/knowledge-bases/${knowledgeBase.id}`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader
        title="Knowledge bases"
        description="Your own documentation, crawled and kept fresh, so agents answer with your facts."
      />
      {canWrite(user.role) && !unavailable && (
        <Card title="New knowledge base">
          <form className="form form-row" onSubmit={create}>
            <Field label="Name">
              {(p) => (
                <input
                  {...p}
                  required
                  maxLength={200}
                  placeholder="Help center"
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                />
              )}
            </Field>
            <Field label="Website or sitemap URL">
              {(p) => (
                <input
                  {...p}
                  required
                  type="url"
                  placeholder="https://help.example.com"
                  value={url}
                  onChange={(e) => setUrl(e.target.value)}
                />
              )}
            </Field>
            <Field label="Refresh">
              {(p) => (
                <select {...p} value={refresh} onChange={(e) => setRefresh(e.target.value)}>
                  <option value="manual">Manual</option>
                  <option value="daily">Daily</option>
                  <option value="weekly">Weekly</option>
                </select>
              )}
            </Field>
            <button type="submit" className="button button-primary" disabled={busy}>
              Create
            </button>
          </form>
          <FormError error={error} />
        </Card>
      )}
      {list.state === 'loading' && <Loading label="Loading knowledge bases…" />}
      {unavailable && (
        <EmptyState title="Knowledge bases are not enabled here yet">
          This platform’s API has no knowledge-base routes. Once they are deployed, you can point a knowledge
          base at your help center here.
        </EmptyState>
      )}
      {list.state === 'error' && !unavailable && <ErrorState error={list.error} onRetry={list.retry} />}
      {list.state === 'ready' && list.data.items.length === 0 && (
        <EmptyState title="No knowledge bases yet">
          Point one at your help center; agents that use it can look facts up during a call.
        </EmptyState>
      )}
      {list.state === 'ready' && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Knowledge bases">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Sources</th>
                <th scope="col">Refresh</th>
                <th scope="col">Last sync</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((kb) => (
                <tr key={kb.id}>
                  <td>
                    <Link className="strong" to={`/knowledge-bases/${kb.id}`}>
                      {kb.name}
                    </Link>
                  </td>
                  <td className="muted small">{kb.sources.map((s) => s.url).join(', ')}</td>
                  <td>
                    <Badge>{kb.refresh}</Badge>
                  </td>
                  <td>
                    {kb.lastSync
                      ? `${humanize(kb.lastSync.status)} · ${formatRelative(kb.lastSync.finishedAt ?? kb.lastSync.startedAt)}`
                      : 'Never'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
