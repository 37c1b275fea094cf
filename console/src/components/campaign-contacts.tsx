import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, queryString } from '../api/client.ts';
import type { AddContactsResult, CampaignContact, ContactState } from '../api/contracts.ts';
import type { Page } from '../api/types.ts';
import { CONTACT_STATE_LABEL, CONTACT_STATES, contactStateTone } from '../lib/campaign-state.ts';
import { parseContactRows } from '../lib/contact-rows.ts';
import { formatDateTime, formatNumber, formatPhone, humanize } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';
import { CsvImport } from './csv-import.tsx';
import { EmptyState, ErrorState, FormError, Loading } from './states.tsx';
import { Badge, Card, Field } from './ui.tsx';
import { ScrollRegion } from './scroll-region.tsx';
import { CursorPager } from './cursor-pager.tsx';

const PAGE_SIZE = 25;

/**
 * The campaign's contacts, one state or all, paged. The table follows the campaign's counts (which
 * the page polls while they move): when they change, the first page loads again, quietly, so the
 * table and the counts above it never disagree for longer than one request.
 */
export function CampaignContacts({
  campaignId,
  countsKey,
  version,
}: {
  campaignId: string;
  /** Changes whenever the campaign's counts per state change. */
  countsKey: string;
  version: number;
}) {
  const [state, setState] = useState<ContactState | ''>('');
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const cursor = stack[stack.length - 1] ?? null;
  const contacts = useApi(
    () =>
      api.get<Page<CampaignContact>>(
        `/v1/campaigns/${campaignId}/contacts${queryString({ state, limit: PAGE_SIZE, cursor })}`,
      ),
    `${campaignId}:${state}:${cursor}:${version}`,
  );
  const { reload } = contacts;
  const countsShown = useRef(countsKey);
  useEffect(() => {
    if (countsShown.current === countsKey) return;
    countsShown.current = countsKey;
    // A later page stays as it is: reloading it would move rows under the reader.
    if (!cursor) void reload();
  }, [countsKey, cursor, reload]);

  return (
    <Card
      title="Contacts"
      actions={
        <div className="field field-inline">
          <label htmlFor="contact-state">State</label>
          <select
            id="contact-state"
            value={state}
            onChange={(e) => {
              setState(e.target.value as ContactState | '');
              setStack([null]);
            }}
          >
            <option value="">All states</option>
            {CONTACT_STATES.map((s) => (
              <option key={s} value={s}>
                {CONTACT_STATE_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
      }
    >
      {contacts.state === 'loading' && <Loading label="Loading contacts…" />}
      {contacts.state === 'error' && <ErrorState error={contacts.error} onRetry={contacts.retry} />}
      {contacts.state === 'ready' && contacts.data.items.length === 0 && (
        <EmptyState
          title={state ? `No contacts ${CONTACT_STATE_LABEL[state].toLowerCase()}` : 'No contacts yet'}
        >
          {state ? 'Pick another state to see more.' : 'Add contacts below: paste rows or upload a CSV file.'}
        </EmptyState>
      )}
      {contacts.state === 'ready' && contacts.data.items.length > 0 && (
        <>
          <ScrollRegion label="Contacts table">
            <table className="table table-stack" aria-label="Contacts">
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">State</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Next attempt</th>
                  <th scope="col">Last outcome</th>
                  <th scope="col">Time zone</th>
                </tr>
              </thead>
              <tbody>
                {contacts.data.items.map((c) => (
                  <tr key={c.number}>
                    <td data-label="Number" className="nowrap strong">
                      {formatPhone(c.number)}
                    </td>
                    <td data-label="State">
                      <Badge tone={contactStateTone(c.state)}>{CONTACT_STATE_LABEL[c.state]}</Badge>
                    </td>
                    <td data-label="Attempts">{c.attempts}</td>
                    <td data-label="Next attempt">{formatDateTime(c.nextAttemptAt)}</td>
                    <td data-label="Last outcome">
                      {c.lastCallId || c.callId ? (
                        <Link to={`/calls/${c.callId ?? c.lastCallId}`}>
                          {c.lastOutcome ? humanize(c.lastOutcome) : 'Call'}
                        </Link>
                      ) : (
                        humanize(c.lastOutcome)
                      )}
                      {c.lastError && <span className="muted small block">{c.lastError}</span>}
                    </td>
                    <td data-label="Time zone" className="muted small">
                      {c.timezone}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
          <CursorPager
            label="Contact pages"
            stack={stack}
            nextCursor={contacts.data.nextCursor}
            onChange={setStack}
          />
        </>
      )}
    </Card>
  );
}

/** Adding contacts: pasted rows (JSON or CSV, up to 1,000) or a CSV file through an import. */
export function AddContacts({ campaignId, onAdded }: { campaignId: string; onAdded: () => void }) {
  const [rows, setRows] = useState('');
  const [result, setResult] = useState<AddContactsResult | null>(null);
  const { busy, error, submit } = useFormAction(async () => {
    setResult(null);
    const contacts = parseContactRows(rows);
    const added = await api.post<AddContactsResult>(`/v1/campaigns/${campaignId}/contacts`, { contacts });
    setResult(added);
    if (added.rejected.length === 0) setRows('');
    onAdded();
  });

  return (
    <Card title="Add contacts">
      <form className="form" onSubmit={submit} aria-label="Paste contacts">
        <Field
          label="Contacts to add"
          hint="CSV with a header (number, optional timezone, one column per variable) or a JSON array of {number, timezone, variables}. Up to 1,000 at once."
        >
          {(p) => (
            <textarea
              {...p}
              rows={5}
              className="mono"
              placeholder={'number,firstName\n+442071838750,Ada'}
              value={rows}
              onChange={(e) => setRows(e.target.value)}
            />
          )}
        </Field>
        <FormError error={error} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy || !rows.trim()}>
            {busy ? 'Adding…' : 'Add contacts'}
          </button>
        </div>
      </form>
      {result && (
        <div className="add-result" role="status">
          <p>
            {formatNumber(result.accepted)} added
            {result.skippedDnc > 0
              ? ` (${formatNumber(result.skippedDnc)} on the do-not-call list, not called)`
              : ''}
            {result.rejected.length > 0 ? ` · ${formatNumber(result.rejected.length)} rejected` : ''}
          </p>
          {result.rejected.length > 0 && (
            <ul className="rejected">
              {result.rejected.map((r) => (
                <li key={`${r.index}:${r.error}`}>
                  Row {r.index + 1} {r.number ? `(${r.number})` : ''}: <code>{r.error}</code>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <h3 className="subheading">Or import a CSV file</h3>
      <CsvImport
        target={{ type: 'campaign_contacts', campaignId }}
        hint="A header row with a number column; optionally timezone and one column per variable. Up to 50 MB."
        onFinished={onAdded}
      />
    </Card>
  );
}
