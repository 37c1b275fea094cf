import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import type { ExportJob } from '../api/contracts.ts';
import { canWrite, useUser } from '../api/session.tsx';
import { ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, Field, PageHeader, ProgressBar } from '../components/ui.tsx';
import { addDays, todayIn } from '../lib/date-range.ts';
import { formatDateTime, formatDuration, formatNumber, humanize } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Start a CSV/JSONL export of calls and follow it to the download link. */
export default function ExportsPage() {
  const user = useUser();
  const today = todayIn(zone);
  const [from, setFrom] = useState(addDays(today, -29));
  const [to, setTo] = useState(today);
  const [format, setFormat] = useState<'csv' | 'jsonl'>('csv');
  // The export being followed lives in the URL, so a reload or a shared link shows it again.
  const [params, setParams] = useSearchParams();
  const current = params.get('export');
  const job = useApi(
    () =>
      current
        ? api.get<{ export: ExportJob }>(`/v1/exports/${current}`).then((r) => r.export)
        : Promise.resolve(null),
    current ?? 'none',
    { pollMs: 2_000, pollWhile: (shown) => shown !== null && !isExportFinished(shown.status) },
  );

  const {
    busy,
    error,
    submit: start,
  } = useFormAction(async () => {
    const result = await api.post<{ export: ExportJob }>('/v1/exports', { type: 'calls', format, from, to });
    setParams({ export: result.export.id });
  });

  return (
    <>
      <PageHeader
        title="Exports"
        description="Every call in a date range — fields, summary, QA, cost and telemetry — as CSV or JSON Lines."
      />
      {canWrite(user.role) && (
        <Card title="New export" className="narrow">
          <form className="form" onSubmit={start}>
            <div className="field-row">
              <Field label="From">
                {(p) => (
                  <input
                    {...p}
                    type="date"
                    required
                    max={to}
                    value={from}
                    onChange={(e) => setFrom(e.target.value)}
                  />
                )}
              </Field>
              <Field label="To">
                {(p) => (
                  <input
                    {...p}
                    type="date"
                    required
                    min={from}
                    value={to}
                    onChange={(e) => setTo(e.target.value)}
                  />
                )}
              </Field>
            </div>
            <Field label="Format">
              {(p) => (
                <select {...p} value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'jsonl')}>
                  <option value="csv">CSV (spreadsheets)</option>
                  <option value="jsonl">JSON Lines (programs)</option>
                </select>
              )}
            </Field>
            <FormError error={error} />
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Starting…' : 'Start export'}
            </button>
          </form>
        </Card>
      )}
      {current && (
        <Card title="Export progress" className="narrow">
          {job.state === 'loading' && <Loading />}
          {job.state === 'error' && <ErrorState error={job.error} onRetry={job.retry} />}
          {job.state === 'ready' && job.data && <ExportStatusView job={job.data} />}
        </Card>
      )}
      {!current && (
        <p className="muted">
          Exports are kept for a few days; the download link is short-lived, so start a new export to get a
          fresh one.
        </p>
      )}
    </>
  );
}

function isExportFinished(status: ExportJob['status']): boolean {
  return status === 'completed' || status === 'failed';
}

function ExportStatusView({ job }: { job: ExportJob }) {
  const tone = job.status === 'completed' ? 'good' : job.status === 'failed' ? 'bad' : 'live';
  return (
    <div className="export-status">
      <p>
        <Badge tone={tone}>{humanize(job.status)}</Badge> {formatNumber(job.rowsWritten)} rows written
        {job.etaSeconds ? ` · about ${formatDuration(job.etaSeconds)} left` : ''}
      </p>
      {!isExportFinished(job.status) && <ProgressBar percent={job.percent} label="Export progress" />}
      {job.status === 'failed' && (
        <p className="form-error">{job.error ?? 'The export failed. Start it again.'}</p>
      )}
      {job.url && (
        <p>
          <a className="button button-primary" href={job.url} download>
            Download
          </a>{' '}
          {job.expiresAt && (
            <span className="muted small">Link valid until {formatDateTime(job.expiresAt)}</span>
          )}
        </p>
      )}
    </div>
  );
}
