import { useState } from 'react';
import { api, queryString } from '../api/client.ts';
import type { DncEntry } from '../api/contracts.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { Page } from '../api/types.ts';
import { useConfirm } from '../components/confirm-dialog.tsx';
import { CsvImport } from '../components/csv-import.tsx';
import { EmptyState, ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, Field, PageHeader } from '../components/ui.tsx';
import { formatDateTime, formatPhone } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';
import { CursorPager } from '../components/cursor-pager.tsx';

const PAGE_SIZE = 50;

/** Who put a number on the list. */
const DNC_SOURCE_LABEL: Record<DncEntry['source'], string> = {
  api: 'API',
  import: 'CSV import',
  agent: 'Agent, on a call',
};

/** `/do-not-call`: numbers no campaign calls (checked at upload and again right before each dial). */
export default function DoNotCallPage() {
  const user = useUser();
  const editable = canWrite(user.role);
  const confirm = useConfirm();
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const [version, setVersion] = useState(0);
  const cursor = stack[stack.length - 1] ?? null;
  const list = useApi(
    () => api.get<Page<DncEntry>>(`/v1/dnc${queryString({ limit: PAGE_SIZE, cursor })}`),
    `${cursor}:${version}`,
  );
  const [number, setNumber] = useState('');
  const [reason, setReason] = useState('');
  const refresh = () => {
    setStack([null]);
    setVersion((v) => v + 1);
  };
  const add = useFormAction(async () => {
    await api.post('/v1/dnc', {
      number: number.replace(/[\s().-]/g, ''),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    });
    setNumber('');
    setReason('');
    refresh();
  });
  const remove = useFormAction();

  async function removeEntry(entry: DncEntry) {
    const ok = await confirm({
      title: `Take ${formatPhone(entry.number)} off the list?`,
      message: 'Campaigns may call this number again.',
      confirmLabel: 'Remove from list',
      danger: true,
    });
    if (!ok) return;
    await remove.run(async () => {
      await api.delete(`/v1/dnc/${encodeURIComponent(entry.number)}`);
      await list.reload();
    });
  }

  return (
    <>
      <PageHeader
        title="Do not call"
        description="Numbers no campaign ever calls. Agents add callers who ask not to be called again."
      />
      {editable && (
        <div className="detail-grid">
          <div className="detail-main">
            <Card title="Add a number">
              <form className="form form-row" onSubmit={add.submit} aria-label="Add to the do-not-call list">
                <Field label="Number (E.164)">
                  {(p) => (
                    <input
                      {...p}
                      type="tel"
                      required
                      placeholder="+14155550100"
                      value={number}
                      onChange={(e) => setNumber(e.target.value)}
                    />
                  )}
                </Field>
                <Field label="Reason (optional)">
                  {(p) => (
                    <input
                      {...p}
                      maxLength={500}
                      placeholder="Asked by email"
                      value={reason}
                      onChange={(e) => setReason(e.target.value)}
                    />
                  )}
                </Field>
                <button type="submit" className="button button-primary" disabled={add.busy}>
                  {add.busy ? 'Adding…' : 'Add number'}
                </button>
              </form>
              <FormError error={add.error} />
            </Card>
          </div>
          <div className="detail-side">
            <Card title="Import a CSV file">
              <CsvImport
                target={{ type: 'dnc' }}
                hint="A header row with a number column; an optional reason column."
                onFinished={refresh}
              />
            </Card>
          </div>
        </div>
      )}
      <FormError error={remove.error} />
      {list.state === 'loading' && <Loading label="Loading the list…" />}
      {list.state === 'error' && <ErrorState error={list.error} onRetry={list.retry} />}
      {list.state === 'ready' && list.data.items.length === 0 && stack.length === 1 && (
        <EmptyState title="The do-not-call list is empty">
          Add numbers that must never be called; campaigns skip them and agents add callers who ask.
        </EmptyState>
      )}
      {list.state === 'ready' && list.data.items.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="table table-stack" aria-label="Do-not-call numbers">
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">Added by</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Added</th>
                  {editable && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((entry) => (
                  <tr key={entry.number}>
                    <td data-label="Number" className="nowrap strong">
                      {formatPhone(entry.number)}
                    </td>
                    <td data-label="Added by">
                      <Badge>{DNC_SOURCE_LABEL[entry.source]}</Badge>
                    </td>
                    <td data-label="Reason">{entry.reason ?? '–'}</td>
                    <td data-label="Added">{formatDateTime(entry.createdAt)}</td>
                    {editable && (
                      <td data-label="Actions">
                        <button
                          type="button"
                          className="button button-danger button-small"
                          disabled={remove.busy}
                          aria-label={`Remove ${entry.number}`}
                          onClick={() => void removeEntry(entry)}
                        >
                          Remove
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <CursorPager label="Pages" stack={stack} nextCursor={list.data.nextCursor} onChange={setStack} />
        </>
      )}
    </>
  );
}
