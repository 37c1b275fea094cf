import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, queryString } from '../api/client.ts';
import type { AgentRecord, Call, Page } from '../api/types.ts';
import { EmptyState, ErrorState, Loading } from '../components/states.tsx';
import { Badge, PageHeader } from '../components/ui.tsx';
import {
  type CallFilters,
  filtersFromSearch,
  filtersToQuery,
  isLive,
  pollInterval,
  STATUS_LABEL,
  statusTone,
} from '../lib/call-state.ts';
import { formatDateTime, formatDuration, formatPhone, formatRelative, humanize } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';

const PAGE_SIZE = 25;

export default function CallsPage() {
  const [search, setSearch] = useSearchParams();
  const filters = filtersFromSearch(search);
  const filterKey = JSON.stringify(filters);
  // Cursors of the pages before this one, so "Previous" works without the API paging backwards.
  const [cursors, setCursors] = useState<{ key: string; stack: (string | null)[] }>({
    key: filterKey,
    stack: [null],
  });
  const stack = cursors.key === filterKey ? cursors.stack : [null];
  const cursor = stack[stack.length - 1] ?? null;
  const [interval, setPoll] = useState(15_000);

  const agents = useApi(() => api.get<Page<AgentRecord>>('/v1/agents?limit=100'), 'agents');
  const calls = useApi(
    async () => {
      const page = await api.get<Page<Call>>(
        `/v1/calls${queryString({ ...filtersToQuery(filters), limit: PAGE_SIZE, cursor: cursor ?? undefined })}`,
      );
      setPoll(pollInterval(page.items));
      return page;
    },
    `${filterKey}:${cursor}`,
    // Only the first page changes as calls come in; older pages are history.
    { pollMs: cursor ? undefined : interval },
  );
  const agentName = new Map(agents.state === 'ready' ? agents.data.items.map((a) => [a.id, a.name]) : []);

  const setFilter = (name: keyof CallFilters, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  };

  return (
    <>
      <PageHeader title="Calls" description="Every call, newest first. Live calls update by themselves." />
      <form className="toolbar" aria-label="Call filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-inline">
          <label htmlFor="f-status">Status</label>
          <select
            id="f-status"
            value={filters.status ?? ''}
            onChange={(e) => setFilter('status', e.target.value)}
          >
            <option value="">Any status</option>
            {Object.entries(STATUS_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="f-agent">Agent</label>
          <select
            id="f-agent"
            value={filters.agentId ?? ''}
            onChange={(e) => setFilter('agentId', e.target.value)}
          >
            <option value="">All agents</option>
            {agents.state === 'ready' &&
              agents.data.items.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="f-direction">Direction</label>
          <select
            id="f-direction"
            value={filters.direction ?? ''}
            onChange={(e) => setFilter('direction', e.target.value)}
          >
            <option value="">Both</option>
            <option value="inbound">Inbound</option>
            <option value="outbound">Outbound</option>
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="f-since">From</label>
          <input
            id="f-since"
            type="date"
            value={filters.since ?? ''}
            onChange={(e) => setFilter('since', e.target.value)}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="f-until">To</label>
          <input
            id="f-until"
            type="date"
            value={filters.until ?? ''}
            onChange={(e) => setFilter('until', e.target.value)}
          />
        </div>
      </form>

      {calls.state === 'loading' && <Loading label="Loading calls…" />}
      {calls.state === 'error' && <ErrorState error={calls.error} onRetry={calls.retry} />}
      {calls.state === 'ready' && calls.data.items.length === 0 && (
        <EmptyState title={Object.keys(filters).length ? 'No calls match these filters' : 'No calls yet'}>
          {Object.keys(filters).length
            ? 'Change or clear the filters to see more.'
            : 'Open an agent and press "Talk to this agent" to make the first one.'}
        </EmptyState>
      )}
      {calls.state === 'ready' && calls.data.items.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="table table-stack" aria-label="Calls">
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Agent</th>
                  <th scope="col">From → To</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {calls.data.items.map((call) => (
                  <tr
                    key={call.id}
                    data-live={isLive(call) || undefined}
                    className={isLive(call) ? 'row-live' : undefined}
                  >
                    <td data-label="Status">
                      <Badge tone={statusTone(call.status)}>
                        {isLive(call) && <span className="pulse" aria-hidden="true" />}
                        {STATUS_LABEL[call.status]}
                      </Badge>
                    </td>
                    <td data-label="Started">
                      <Link to={`/calls/${call.id}`} className="row-link">
                        {formatDateTime(call.createdAt)}
                      </Link>
                      <span className="muted small block">{formatRelative(call.createdAt)}</span>
                    </td>
                    <td data-label="Agent">{agentName.get(call.agentId) ?? <code>{call.agentId}</code>}</td>
                    <td data-label="From → To" className="nowrap">
                      {call.provider === 'web' ? 'Browser' : formatPhone(call.from)} →{' '}
                      {call.provider === 'web' ? 'Agent' : formatPhone(call.to)}
                    </td>
                    <td data-label="Duration">{formatDuration(call.durationSeconds)}</td>
                    <td data-label="Outcome">
                      {call.endReason ? humanize(call.endReason) : isLive(call) ? 'In progress' : '–'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button
              type="button"
              className="button"
              disabled={stack.length <= 1}
              onClick={() => setCursors({ key: filterKey, stack: stack.slice(0, -1) })}
            >
              Previous
            </button>
            <span className="muted small">Page {stack.length}</span>
            <button
              type="button"
              className="button"
              disabled={!calls.data.nextCursor}
              onClick={() => setCursors({ key: filterKey, stack: [...stack, calls.data.nextCursor] })}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </>
  );
}
