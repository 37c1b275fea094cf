import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { KnowledgeBase, KnowledgeDocument, KnowledgeSync, SearchResult } from '../api/contracts.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { Page } from '../api/types.ts';
import { ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, Field, PageHeader, ProgressBar, Stat } from '../components/ui.tsx';
import { formatDuration, formatNumber, formatRelative, humanize } from '../lib/format.ts';
import { isSyncRunning, sourcesLabel, syncTone } from '../lib/knowledge.ts';
import { useApi } from '../lib/use-api.ts';

export default function KnowledgeBaseDetailPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const path = `/v1/knowledge-bases/${encodeURIComponent(id)}`;
  const kb = useApi(() => api.get<{ knowledgeBase: KnowledgeBase }>(path).then((r) => r.knowledgeBase), id);
  const [syncId, setSyncId] = useState<string | null>(null);
  const activeSyncId = syncId ?? (kb.state === 'ready' ? kb.data.lastSyncId : null);
  const sync = useApi(
    () =>
      activeSyncId
        ? api.get<{ sync: KnowledgeSync }>(`${path}/syncs/${activeSyncId}`).then((r) => r.sync)
        : Promise.resolve(null),
    activeSyncId ?? 'none',
    { pollMs: 1_500, pollWhile: (shown) => shown !== null && isSyncRunning(shown.status) },
  );
  const docs = useApi(
    () => api.get<Page<KnowledgeDocument>>(`${path}/documents?limit=100`),
    `${id}:${sync.data?.status ?? ''}`,
  );
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<SearchResult[] | null>(null);
  const [error, setError] = useState<Error | null>(null);

  async function syncNow() {
    setError(null);
    try {
      setSyncId((await api.post<{ sync: KnowledgeSync }>(`${path}/syncs`)).sync.id);
    } catch (err) {
      setError(err as Error);
    }
  }

  async function searchNow(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      setResults((await api.post<{ results: SearchResult[] }>(`${path}/search`, { query, topK: 5 })).results);
    } catch (err) {
      setError(err as Error);
    }
  }

  const back = (
    <Link to="/knowledge-bases" className="back-link">
      ← Knowledge bases
    </Link>
  );
  if (kb.state === 'loading') return <Loading label="Loading knowledge base…" />;
  if (kb.state === 'error')
    return (
      <>
        <PageHeader back={back} title="Knowledge base" />
        <ErrorState error={kb.error} onRetry={kb.retry} />
      </>
    );
  const s = sync.data;
  const running = isSyncRunning(s?.status);

  return (
    <>
      <PageHeader
        back={back}
        title={kb.data.name}
        description={sourcesLabel(kb.data)}
        actions={
          canWrite(user.role) ? (
            <button type="button" className="button button-primary" onClick={syncNow} disabled={running}>
              {running ? 'Syncing…' : 'Sync now'}
            </button>
          ) : undefined
        }
      />
      <FormError error={error} />
      <Card title="Sync">
        {!s ? (
          <p className="muted">Not synced yet. Press “Sync now” to crawl the sources.</p>
        ) : (
          <>
            <p>
              <Badge tone={syncTone(s.status)}>{humanize(s.status)}</Badge>{' '}
              {s.finishedAt
                ? `finished ${formatRelative(s.finishedAt)}`
                : s.etaSeconds
                  ? `about ${formatDuration(s.etaSeconds)} left`
                  : ''}
            </p>
            {running && <ProgressBar percent={s.percent} label="Sync progress" />}
            <dl className="stats stats-compact">
              <Stat label="Pages found" value={formatNumber(s.pagesDiscovered)} />
              <Stat label="Fetched" value={formatNumber(s.fetched)} />
              <Stat label="Unchanged" value={formatNumber(s.unchanged)} />
              <Stat label="Failed" value={formatNumber(s.failed)} />
              <Stat label="Skipped" value={formatNumber(s.skipped)} />
              <Stat label="Chunks" value={formatNumber(s.chunks)} />
              <Stat label="Embedded" value={formatNumber(s.embedded)} />
            </dl>
            {s.errors.length > 0 && (
              <ul className="annotation-list">
                {s.errors.slice(0, 20).map((e) => (
                  <li key={`${e.url}:${e.code}`}>
                    <Badge tone="bad">{e.code}</Badge> <span className="small">{e.url}</span>
                    <span className="muted small block">{e.message}</span>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Card>
      <Card title="Test a search">
        <form className="form form-row" onSubmit={searchNow}>
          <Field label="Question">
            {(p) => (
              <input
                {...p}
                required
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                placeholder="What are your opening hours?"
              />
            )}
          </Field>
          <button type="submit" className="button">
            Search
          </button>
        </form>
        {results && results.length === 0 && <p className="muted">Nothing found.</p>}
        {results && results.length > 0 && (
          <ol className="results">
            {results.map((r) => (
              <li key={`${r.url}:${r.score}`}>
                <a href={r.url} target="_blank" rel="noreferrer">
                  {r.title || r.url}
                </a>{' '}
                <span className="muted small">score {r.score.toFixed(3)}</span>
                <p className="small">{r.text}</p>
              </li>
            ))}
          </ol>
        )}
      </Card>
      <Card title="Documents">
        {docs.state === 'loading' && <Loading label="Loading documents…" />}
        {docs.state === 'error' && <ErrorState error={docs.error} onRetry={docs.retry} />}
        {docs.state === 'ready' && docs.data.items.length === 0 && <p className="muted">No documents yet.</p>}
        {docs.state === 'ready' && docs.data.items.length > 0 && (
          <div className="table-wrap">
            <table className="table" aria-label="Documents">
              <thead>
                <tr>
                  <th scope="col">Page</th>
                  <th scope="col">Status</th>
                  <th scope="col">Chunks</th>
                  <th scope="col">Fetched</th>
                </tr>
              </thead>
              <tbody>
                {docs.data.items.map((d) => (
                  <tr key={d.url}>
                    <td>
                      <span className="strong">{d.title || d.url}</span>
                      <span className="muted small block">{d.url}</span>
                    </td>
                    <td>
                      <Badge tone={d.error ? 'bad' : 'good'}>{d.status}</Badge>
                      {d.error && <span className="muted small block">{d.error}</span>}
                    </td>
                    <td>{formatNumber(d.chunkCount)}</td>
                    <td>{formatRelative(d.lastFetchedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
