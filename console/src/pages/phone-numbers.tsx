import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { AgentRecord, Page, PhoneNumber } from '../api/types.ts';
import { EmptyState, ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, Field, PageHeader } from '../components/ui.tsx';
import { formatDateTime, formatPhone } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';
import { useConfirm } from '../components/confirm-dialog.tsx';

/** Every provider that owns numbers: the compiler asks for a label when one is added. */
const PROVIDER_LABELS: Record<PhoneNumber['provider'], string> = { twilio: 'Twilio', asterisk: 'Asterisk' };

export default function PhoneNumbersPage() {
  const user = useUser();
  const confirm = useConfirm();
  const editable = canWrite(user.role);
  const numbers = useApi(() => api.get<Page<PhoneNumber>>('/v1/phone-numbers?limit=100'), 'numbers');
  const agents = useApi(() => api.get<Page<AgentRecord>>('/v1/agents?limit=100'), 'agents');
  const [number, setNumber] = useState('');
  const [agentId, setAgentId] = useState('');
  const [provider, setProvider] = useState('twilio');
  const { busy, error, run: runForm } = useFormAction();
  const agentList = agents.state === 'ready' ? agents.data.items : [];
  const agentName = new Map(agentList.map((a) => [a.id, a.name]));

  /** A change to the numbers, then the list as it now is. */
  const run = (action: () => Promise<unknown>) =>
    runForm(async () => {
      await action();
      await numbers.reload();
    });

  async function add(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      await api.post('/v1/phone-numbers', {
        number: number.replace(/[\s()-]/g, ''),
        agentId: agentId || agentList[0]?.id,
        provider,
      });
      setNumber('');
    });
  }

  return (
    <>
      <PageHeader
        title="Phone numbers"
        description="Numbers your agents answer, on Twilio or your own Asterisk PBX."
      />
      {editable && (
        <Card title="Add a number">
          <form className="form form-row" onSubmit={add}>
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
            <Field label="Answered by">
              {(p) => (
                <select
                  {...p}
                  required
                  value={agentId || agentList[0]?.id || ''}
                  onChange={(e) => setAgentId(e.target.value)}
                >
                  {agentList.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Provider">
              {(p) => (
                <select {...p} value={provider} onChange={(e) => setProvider(e.target.value)}>
                  {Object.entries(PROVIDER_LABELS).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="submit" className="button button-primary" disabled={busy || agentList.length === 0}>
              Add number
            </button>
          </form>
          <FormError error={error} />
        </Card>
      )}
      {numbers.state === 'loading' && <Loading label="Loading numbers…" />}
      {numbers.state === 'error' && <ErrorState error={numbers.error} onRetry={numbers.retry} />}
      {numbers.state === 'ready' && numbers.data.items.length === 0 && (
        <EmptyState title="No phone numbers yet">
          Add a number you own at Twilio or route on your PBX, and pick the agent that answers it.
        </EmptyState>
      )}
      {numbers.state === 'ready' && numbers.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Phone numbers">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Provider</th>
                <th scope="col">Answered by</th>
                <th scope="col">Added</th>
                {editable && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {numbers.data.items.map((n) => (
                <tr key={n.id}>
                  <td className="nowrap strong">{formatPhone(n.number)}</td>
                  <td>
                    <Badge>{n.provider}</Badge>
                  </td>
                  <td>
                    {editable ? (
                      <select
                        aria-label={`Agent answering ${n.number}`}
                        value={n.agentId}
                        disabled={busy}
                        onChange={(e) =>
                          run(() => api.patch(`/v1/phone-numbers/${n.id}`, { agentId: e.target.value }))
                        }
                      >
                        {agentList.map((a) => (
                          <option key={a.id} value={a.id}>
                            {a.name}
                          </option>
                        ))}
                      </select>
                    ) : (
                      (agentName.get(n.agentId) ?? n.agentId)
                    )}
                  </td>
                  <td>{formatDateTime(n.createdAt)}</td>
                  {editable && (
                    <td>
                      <button
                        type="button"
                        className="button button-danger button-small"
                        disabled={busy}
                        onClick={async () => {
                          const ok = await confirm({
                            title: `Release ${n.number}?`,
                            message: 'Calls to it will no longer be answered.',
                            confirmLabel: 'Release number',
                            danger: true,
                          });
                          if (ok) await run(() => api.delete(`/v1/phone-numbers/${n.id}`));
                        }}
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
      )}
    </>
  );
}
