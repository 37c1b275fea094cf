import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { api, queryString } from '../api/client.ts';
import type { AnalyticsSummary, Timeseries } from '../api/contracts.ts';
import type { AgentRecord, Page } from '../api/types.ts';
import { ErrorState, Loading } from '../components/states.tsx';
import { Card, PageHeader, Stat } from '../components/ui.tsx';
import { DashboardCharts } from '../components/dashboard-charts.tsx';
import {
  type DateRange,
  granularityFor,
  parseRange,
  RANGE_PRESETS,
  type RangePreset,
  rangeFor,
} from '../lib/date-range.ts';
import { formatDuration, formatLatency, formatNumber, formatPercent, formatUsd } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';

/** Chart series → the analytics API's timeseries metric (per-status counters are `status:<value>`). */
export const CHART_METRICS: Record<string, string> = {
  completed: 'completed',
  failed: 'failed',
  no_answer: 'status:no_answer',
  busy: 'status:busy',
  latency_p50: 'latency_p50',
  latency_p90: 'latency_p90',
  qa_avg: 'qa_avg',
};
const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function useRange(): [DateRange, RangePreset | 'custom', (next: Record<string, string>) => void] {
  const [search, setSearch] = useSearchParams();
  const preset = search.get('range') as RangePreset | null;
  const custom = parseRange(search.get('from'), search.get('to'));
  const known = RANGE_PRESETS.some((p) => p.id === preset);
  const range = custom ?? rangeFor(known ? (preset as RangePreset) : '30d', timezone);
  const update = (next: Record<string, string>) => {
    const merged = new URLSearchParams(search);
    for (const [k, v] of Object.entries(next)) {
      if (v) merged.set(k, v);
      else merged.delete(k);
    }
    setSearch(merged, { replace: true });
  };
  return [range, custom ? 'custom' : known ? (preset as RangePreset) : '30d', update];
}

export default function DashboardPage() {
  const [range, preset, update] = useRange();
  const [search] = useSearchParams();
  const agentId = search.get('agentId') ?? '';
  const granularity = granularityFor(range);
  const base = { from: range.from, to: range.to, agentId: agentId || undefined };
  const key = JSON.stringify(base);

  const agents = useApi(() => api.get<Page<AgentRecord>>('/v1/agents?limit=100'), 'agents');
  const summary = useApi(() => api.get<AnalyticsSummary>(`/v1/analytics/summary${queryString(base)}`), key);
  const series = useApi(async () => {
    const entries = Object.entries(CHART_METRICS);
    const all = await Promise.all(
      entries.map(([, metric]) =>
        api.get<Timeseries>(`/v1/analytics/timeseries${queryString({ ...base, metric, granularity })}`),
      ),
    );
    return Object.fromEntries(all.map((series, i) => [entries[i]?.[0], series])) as Record<
      string,
      Timeseries
    >;
  }, `${key}:${granularity}`);

  const agentOptions = useMemo(() => (agents.state === 'ready' ? agents.data.items : []), [agents]);

  return (
    <>
      <PageHeader title="Dashboard" description="How your calls went: volume, outcomes, quality and speed." />
      <form className="toolbar" aria-label="Dashboard filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-inline">
          <label htmlFor="range">Date range</label>
          <select
            id="range"
            value={preset}
            onChange={(e) =>
              update(
                e.target.value === 'custom'
                  ? { range: '', from: range.from, to: range.to }
                  : { range: e.target.value, from: '', to: '' },
              )
            }
          >
            {RANGE_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
            <option value="custom">Custom</option>
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="from">From</label>
          <input
            id="from"
            type="date"
            value={range.from}
            max={range.to}
            onChange={(e) => e.target.value && update({ range: '', from: e.target.value, to: range.to })}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="to">To</label>
          <input
            id="to"
            type="date"
            value={range.to}
            min={range.from}
            onChange={(e) => e.target.value && update({ range: '', from: range.from, to: e.target.value })}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="agent">Agent</label>
          <select id="agent" value={agentId} onChange={(e) => update({ agentId: e.target.value })}>
            <option value="">All agents</option>
            {agentOptions.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
      </form>

      {summary.state === 'loading' && <Loading label="Loading figures…" />}
      {summary.state === 'error' && <ErrorState error={summary.error} onRetry={summary.retry} />}
      {summary.state === 'ready' && <Figures summary={summary.data} />}

      {series.state === 'loading' && <Loading label="Loading charts…" />}
      {series.state === 'error' && <ErrorState error={series.error} onRetry={series.retry} />}
      {series.state === 'ready' && <DashboardCharts series={series.data} granularity={granularity} />}
    </>
  );
}

function Figures({ summary }: { summary: AnalyticsSummary }) {
  const { totals, rates, qa, latency } = summary;
  return (
    <Card className="figures-card">
      <dl className="stats" data-testid="figures">
        <Stat
          label="Calls"
          value={formatNumber(totals.calls)}
          hint={`${formatNumber(totals.answered)} answered`}
        />
        <Stat
          label="Answer rate"
          value={formatPercent(rates.answer)}
          hint={`${formatPercent(rates.completion)} completed`}
        />
        <Stat
          label="Minutes"
          value={formatNumber(totals.minutes)}
          hint={`${formatNumber(totals.billableMinutes)} billable`}
        />
        <Stat
          label="Cost"
          value={formatUsd(totals.cost)}
          hint={
            summary.durations?.averageSeconds
              ? `avg call ${formatDuration(summary.durations.averageSeconds)}`
              : undefined
          }
        />
        <Stat
          label="QA average"
          value={qa.average === null ? '–' : formatNumber(qa.average)}
          hint="out of 100"
        />
        <Stat
          label="First audio P50"
          value={formatLatency(latency.firstAudio.p50)}
          hint={`P90 ${formatLatency(latency.firstAudio.p90)}`}
        />
      </dl>
      {totals.calls === 0 && (
        <p className="muted center">
          No calls in this range yet. Talk to an agent and the figures appear here.
        </p>
      )}
    </Card>
  );
}
