import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { AgentRecord, Page } from '../api/types.ts';
import { EmptyState, ErrorState, Loading } from '../components/states.tsx';
import { Badge, PageHeader } from '../components/ui.tsx';
import { formatDuration, formatRelative } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';

export default function AgentsPage() {
  const user = useUser();
  const agents = useApi(() => api.get<Page<AgentRecord>>('/v1/agents?limit=100'), 'agents');
  const create = canWrite(user.role) ? (
    <Link className="button button-primary" to="/agents/new">
      New agent
    </Link>
  ) : undefined;

  return (
    <>
      <PageHeader
        title="Agents"
        description="Who answers and places your calls: instructions, voice, tools and knowledge."
        actions={create}
      />
      {agents.state === 'loading' && <Loading label="Loading agents…" />}
      {agents.state === 'error' && <ErrorState error={agents.error} onRetry={agents.retry} />}
      {agents.state === 'ready' && agents.data.items.length === 0 && (
        <EmptyState title="No agents yet" action={create}>
          An agent is the voice on your calls. Create one, then talk to it right here in the browser.
        </EmptyState>
      )}
      {agents.state === 'ready' && agents.data.items.length > 0 && (
        <ul className="card-list" aria-label="Agents">
          {agents.data.items.map((agent) => (
            <li key={agent.id} className="card agent-card">
              <div className="agent-card-head">
                <div className="agent-avatar" aria-hidden="true">
                  {agent.name.charAt(0).toUpperCase()}
                </div>
                <div>
                  <h2 className="agent-name">
                    <Link to={`/agents/${agent.id}`}>{agent.name}</Link>
                  </h2>
                  <p className="muted small">Updated {formatRelative(agent.updatedAt)}</p>
                </div>
              </div>
              <p className="agent-instructions">{agent.instructions}</p>
              <div className="summary-tags">
                <Badge>Voice: {agent.voice}</Badge>
                {agent.language && <Badge>{agent.language}</Badge>}
                <Badge>{agent.tools.length} tools</Badge>
                <Badge>Max {formatDuration(agent.maxDurationSeconds)}</Badge>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
