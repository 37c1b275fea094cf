import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, isMissingRoute } from '../api/client.ts';
import type { KnowledgeBase } from '../api/contracts.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { Page } from '../api/types.ts';
import { EmptyState, ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, Field, PageHeader } from '../components/ui.tsx';
import { formatNumber, formatRelative, humanize } from '../lib/format.ts';
import { newKnowledgeBaseBody, type StartSource, sourcesLabel } from '../lib/knowledge.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';

export default function KnowledgeBasesPage() {
  const user = useUser();
  const navigate = useNavigate();
  const list = useApi(() => api.get<Page<KnowledgeBase>>('/v1/knowledge-bases?limit=100'), 'kbs');
  const unavailable = list.state === 'error' && isMissingRoute(list.error);
  const [name, setName] = useState('');
  const [type, setType] = useState<StartSource>('website');
  const [url, setUrl] = useState('');
  const [refresh, setRefresh] = useState<KnowledgeBase['refresh']>('daily');
  const {
    busy,
    error,
    submit: create,
  } = useFormAction(async () => {
    const { knowledgeBase } = await api.post<{ knowledgeBase: KnowledgeBase }>(
      '/v1/knowledge-bases',
      newKnowledgeBaseBody({ name, type, url, refresh }),
    );
    navigate(`/knowledge-bases/${knowledgeBase.id}`);
  });

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
            <Field label="Source">
              {(p) => (
                <select {...p} value={type} onChange={(e) => setType(e.target.value as StartSource)}>
                  <option value="website">Website (crawl links)</option>
                  <option value="sitemap">Sitemap</option>
                </select>
              )}
            </Field>
            <Field label={type === 'sitemap' ? 'Sitemap URL' : 'Website URL'}>
              {(p) => (
                <input
                  {...p}
                  required
                  type="url"
                  placeholder={
                    type === 'sitemap' ? 'https://help.example.com/sitemap.xml' : 'https://help.example.com'
                  }
                  value={url}
                  onChange={(e) => setUrl(e.target.value)}
                />
              )}
            </Field>
            <Field label="Refresh">
              {(p) => (
                <select
                  {...p}
                  value={refresh}
                  onChange={(e) => setRefresh(e.target.value as KnowledgeBase['refresh'])}
                >
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
                <th scope="col">Documents</th>
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
                  <td className="muted small">{sourcesLabel(kb)}</td>
                  <td>
                    <Badge>{kb.refresh}</Badge>
                  </td>
                  <td>
                    {formatNumber(kb.documentCount)}
                    <span className="muted small block">{formatNumber(kb.chunkCount)} chunks</span>
                  </td>
                  <td>
                    {kb.lastSyncStatus
                      ? `${humanize(kb.lastSyncStatus)} · ${formatRelative(kb.updatedAt)}`
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
