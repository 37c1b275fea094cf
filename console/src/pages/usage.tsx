import { useSearchParams } from 'react-router';
import { api, queryString } from '../api/client.ts';
import type { AgentRecord, MonthUsage, Page } from '../api/types.ts';
import { ErrorState, Loading } from '../components/states.tsx';
import { Card, PageHeader, Stat } from '../components/ui.tsx';
import { formatNumber, formatUsd } from '../lib/format.ts';
import { recentMonths } from '../lib/months.ts';
import { useApi } from '../lib/use-api.ts';

export default function UsagePage() {
  const [search, setSearch] = useSearchParams();
  const months = recentMonths(new Date(), 12);
  const month = months.includes(search.get('month') ?? '')
    ? (search.get('month') as string)
    : (months[0] as string);
  const usage = useApi(() => api.get<MonthUsage>(`/v1/usage${queryString({ month })}`), month);
  const agents = useApi(() => api.get<Page<AgentRecord>>('/v1/agents?limit=100'), 'agents');
  const agentName = new Map(agents.state === 'ready' ? agents.data.items.map((a) => [a.id, a.name]) : []);

  return (
    <>
      <PageHeader
        title="Usage & billing"
        description="Billable minutes and what they cost, per month and per agent (UTC months)."
      />
      <form className="toolbar" aria-label="Month" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-inline">
          <label htmlFor="month">Month</label>
          <select
            id="month"
            value={month}
            onChange={(e) => setSearch({ month: e.target.value }, { replace: true })}
          >
            {months.map((m) => (
              <option key={m} value={m}>
                {new Date(`${m}-01T00:00:00Z`).toLocaleDateString('en-US', {
                  month: 'long',
                  year: 'numeric',
                  timeZone: 'UTC',
                })}
              </option>
            ))}
          </select>
        </div>
      </form>
      {usage.state === 'loading' && <Loading label="Loading usage…" />}
      {usage.state === 'error' && <ErrorState error={usage.error} onRetry={usage.retry} />}
      {usage.state === 'ready' && (
        <>
          <Card>
            <dl className="stats">
              <Stat
                label="Charges"
                value={formatUsd(usage.data.totals.cost.amount)}
                hint="billed through Stripe"
              />
              <Stat label="Billable minutes" value={formatNumber(usage.data.totals.billableSeconds / 60)} />
              <Stat
                label="Calls"
                value={formatNumber(usage.data.totals.calls)}
                hint={`${formatNumber(usage.data.totals.connectedCalls)} connected`}
              />
              <Stat
                label="Model cost"
                value={formatUsd(usage.data.totals.cost.providerCost.total)}
                hint="at provider list prices"
              />
            </dl>
          </Card>
          <Card title="By agent">
            {usage.data.byAgent.length === 0 ? (
              <p className="muted">No calls this month.</p>
            ) : (
              <div className="table-wrap">
                <table className="table" aria-label="Usage by agent">
                  <thead>
                    <tr>
                      <th scope="col">Agent</th>
                      <th scope="col">Calls</th>
                      <th scope="col">Billable minutes</th>
                      <th scope="col">Audio tokens (in / out)</th>
                      <th scope="col">Charges</th>
                    </tr>
                  </thead>
                  <tbody>
                    {usage.data.byAgent.map((row) => (
                      <tr key={row.agentId}>
                        <td className="strong">{agentName.get(row.agentId) ?? row.agentId}</td>
                        <td>{formatNumber(row.calls)}</td>
                        <td>{formatNumber(row.billableSeconds / 60)}</td>
                        <td>
                          {formatNumber(row.realtimeTokens.inputAudio)} /{' '}
                          {formatNumber(row.realtimeTokens.outputAudio)}
                        </td>
                        <td>{formatUsd(row.cost.amount)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        </>
      )}
    </>
  );
}
