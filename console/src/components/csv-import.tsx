import { useState } from 'react';
import { api } from '../api/client.ts';
import type { ImportJob, ImportUpload } from '../api/contracts.ts';
import { isImportFinished } from '../lib/campaign-state.ts';
import { formatNumber, humanize } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';
import { ErrorState, FormError, Loading } from './states.tsx';
import { Badge, Field, ProgressBar } from './ui.tsx';
import { ScrollRegion } from './scroll-region.tsx';

type ImportTarget = { type: 'campaign_contacts'; campaignId: string } | { type: 'dnc' };

/**
 * A CSV import as the API runs it: the file goes straight to storage with the presigned PUT,
 * the job is started and followed (polled until it ends) with its rejected rows listed.
 */
export function CsvImport({
  target,
  hint,
  onFinished,
}: {
  target: ImportTarget;
  hint: string;
  onFinished?: (job: ImportJob) => void;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const job = useApi(
    async () => {
      if (!importId) return null;
      const { import: current } = await api.get<{ import: ImportJob }>(`/v1/imports/${importId}`);
      if (isImportFinished(current)) onFinished?.(current);
      return current;
    },
    importId ?? 'none',
    { pollMs: 1_500, pollWhile: (shown) => shown !== null && !isImportFinished(shown) },
  );
  const { busy, error, submit } = useFormAction(async () => {
    if (!file) throw new Error('Choose a CSV file first.');
    if (file.size === 0) throw new Error('The file is empty.');
    const created = await api.post<{ import: ImportJob; upload: ImportUpload }>('/v1/imports', {
      ...target,
      sizeBytes: file.size,
    });
    const put = await fetch(created.upload.url, {
      method: created.upload.method,
      headers: created.upload.headers,
      body: file,
    }).catch(() => null);
    if (!put?.ok)
      throw new Error(`The file could not be uploaded${put ? ` (HTTP ${put.status})` : ''}. Try again.`);
    await api.post(`/v1/imports/${created.import.id}/start`);
    setImportId(created.import.id);
    setFile(null);
    setInputKey((k) => k + 1);
  });

  return (
    <div className="csv-import">
      <form className="form form-row" onSubmit={submit} aria-label="Import a CSV file">
        <Field label="CSV file" hint={hint}>
          {(p) => (
            <input
              {...p}
              key={inputKey}
              type="file"
              accept=".csv,text/csv,text/plain"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={busy || !file}>
          {busy ? 'Uploading…' : 'Upload and import'}
        </button>
      </form>
      <FormError error={error} />
      {importId && job.state === 'loading' && <Loading label="Loading the import…" />}
      {job.state === 'error' && <ErrorState error={job.error} onRetry={job.retry} />}
      {job.state === 'ready' && job.data && <ImportProgress job={job.data} />}
    </div>
  );
}

function ImportProgress({ job }: { job: ImportJob }) {
  const finished = isImportFinished(job);
  const tone =
    job.status === 'completed'
      ? job.rowsRejected > 0
        ? 'warn'
        : 'good'
      : job.status === 'failed'
        ? 'bad'
        : 'live';
  return (
    <section className="import-status" aria-label="Import progress" aria-live="polite">
      <p>
        <Badge tone={tone}>
          {job.status === 'completed' && job.rowsRejected > 0
            ? 'Completed with errors'
            : humanize(job.status)}
        </Badge>{' '}
        {formatNumber(job.rowsRead)} rows read · {formatNumber(job.rowsImported)} imported ·{' '}
        {formatNumber(job.rowsRejected)} rejected
        {job.skippedDnc > 0 ? ` · ${formatNumber(job.skippedDnc)} on the do-not-call list` : ''}
      </p>
      {!finished && <ProgressBar percent={job.percent} label="Import progress" />}
      {job.error && <p className="form-error">{job.error}</p>}
      {job.errors.length > 0 && (
        <ScrollRegion label="Rejected rows table">
          <table className="table" aria-label="Rejected rows">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Number</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {job.errors.map((row) => (
                <tr key={`${row.index}:${row.error}`}>
                  <td>{row.index}</td>
                  <td className="nowrap">{row.number || '–'}</td>
                  <td>
                    <code>{row.error}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      {job.errorReportUrl && (
        <p>
          <a href={job.errorReportUrl} download>
            Download the full error report (CSV)
          </a>
        </p>
      )}
    </section>
  );
}
