import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Timeseries } from '../api/contracts.ts';
import { formatLatency, formatPeriod, humanize } from '../lib/format.ts';
import { mergeSeries } from '../lib/series.ts';
import { Card } from './ui.tsx';

const OUTCOME_COLORS: Record<string, string> = {
  completed: '#16a34a',
  failed: '#dc2626',
  no_answer: '#d97706',
  busy: '#7c3aed',
};

export function DashboardCharts({
  series,
  granularity,
}: {
  series: Record<string, Timeseries>;
  granularity: 'hour' | 'day' | 'week';
}) {
  const outcomes = mergeSeries(series, ['completed', 'failed', 'no_answer', 'busy']);
  const latency = mergeSeries(series, ['latency_p50', 'latency_p90']);
  const qa = mergeSeries(series, ['qa_avg']);
  const tick = (value: string) => formatPeriod(value, granularity);
  const empty = (rows: Record<string, unknown>[], keys: string[]) =>
    rows.every((r) => keys.every((k) => !r[k]));

  return (
    <div className="chart-grid">
      <Card title="Volume by outcome" className="chart-card chart-wide">
        {empty(outcomes, Object.keys(OUTCOME_COLORS)) ? (
          <p className="chart-empty">No calls in this range.</p>
        ) : (
          <ResponsiveContainer width="100%" height={260}>
            <BarChart data={outcomes} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
              <XAxis dataKey="start" tickFormatter={tick} tick={{ fontSize: 12 }} minTickGap={16} />
              <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
              <Tooltip
                labelFormatter={(v) => tick(String(v))}
                formatter={(v, name) => [v, humanize(String(name))]}
              />
              <Legend formatter={(name) => humanize(String(name))} />
              {Object.entries(OUTCOME_COLORS).map(([key, color]) => (
                <Bar key={key} dataKey={key} stackId="calls" fill={color} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        )}
      </Card>
      <Card title="First-audio latency" className="chart-card">
        {empty(latency, ['latency_p50', 'latency_p90']) ? (
          <p className="chart-empty">No latency measured in this range.</p>
        ) : (
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={latency} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
              <XAxis dataKey="start" tickFormatter={tick} tick={{ fontSize: 12 }} minTickGap={16} />
              <YAxis tickFormatter={(v) => formatLatency(Number(v))} tick={{ fontSize: 12 }} width={64} />
              <Tooltip
                labelFormatter={(v) => tick(String(v))}
                formatter={(v, name) => [formatLatency(Number(v)), name === 'latency_p50' ? 'P50' : 'P90']}
              />
              <Legend formatter={(name) => (name === 'latency_p50' ? 'P50' : 'P90')} />
              <Line
                dataKey="latency_p50"
                stroke="#4f46e5"
                strokeWidth={2}
                dot={{ r: 2 }}
                connectNulls
                isAnimationActive={false}
              />
              <Line
                dataKey="latency_p90"
                stroke="#0891b2"
                strokeWidth={2}
                dot={{ r: 2 }}
                connectNulls
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        )}
      </Card>
      <Card title="QA trend" className="chart-card">
        {empty(qa, ['qa_avg']) ? (
          <p className="chart-empty">No scored calls in this range.</p>
        ) : (
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={qa} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
              <XAxis dataKey="start" tickFormatter={tick} tick={{ fontSize: 12 }} minTickGap={16} />
              <YAxis domain={[0, 100]} tick={{ fontSize: 12 }} />
              <Tooltip labelFormatter={(v) => tick(String(v))} formatter={(v) => [v, 'QA average']} />
              <Line
                dataKey="qa_avg"
                stroke="#16a34a"
                strokeWidth={2}
                dot={{ r: 2 }}
                connectNulls
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        )}
      </Card>
    </div>
  );
}
