import { useState } from 'react';
import { api } from '../api/client.ts';
import { canAdminister, useUser } from '../api/session.tsx';
import type { ApiKey, CreatedApiKey, Page } from '../api/types.ts';
import { EmptyState, ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, Field, PageHeader, SecretBox } from '../components/ui.tsx';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';
import { useConfirm } from '../components/confirm-dialog.tsx';

export default function ApiKeysPage() {
  const user = useUser();
  const confirm = useConfirm();
  const admin = canAdminister(user.role);
  const keys = useApi(() => api.get<Page<ApiKey>>('/v1/api-keys?limit=100'), 'keys');
  const [name, setName] = useState('');
  const [scope, setScope] = useState('write');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const form = useFormAction(async () => {
    const result = await api.post<{ apiKey: CreatedApiKey } | CreatedApiKey>('/v1/api-keys', {
      name,
      scopes: [scope],
    });
    setCreated('apiKey' in result ? result.apiKey : result);
    setName('');
    await keys.reload();
  });
  const { busy, error, submit: create } = form;

  async function revoke(key: ApiKey) {
    const ok = await confirm({
      title: `Revoke "${key.name}"?`,
      message: 'Programs using it stop working at once.',
      confirmLabel: 'Revoke key',
      danger: true,
    });
    if (!ok) return;
    await form.run(async () => {
      await api.delete(`/v1/api-keys/${key.id}`);
      await keys.reload();
    });
  }

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys for your backend: everything in the console is also in the API."
      />
      {admin && (
        <Card title="Create a key">
          <form className="form form-row" onSubmit={create}>
            <Field label="Key name">
              {(p) => (
                <input
                  {...p}
                  required
                  maxLength={100}
                  placeholder="Production backend"
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                />
              )}
            </Field>
            <Field label="Access">
              {(p) => (
                <select {...p} value={scope} onChange={(e) => setScope(e.target.value)}>
                  <option value="read">Read only</option>
                  <option value="write">Read and write</option>
                  <option value="admin">Admin (also manages keys)</option>
                </select>
              )}
            </Field>
            <button type="submit" className="button button-primary" disabled={busy}>
              Create key
            </button>
          </form>
          {created && <SecretBox label={`New key "${created.name}"`} secret={created.secret} />}
          <FormError error={error} />
        </Card>
      )}
      {keys.state === 'loading' && <Loading label="Loading keys…" />}
      {keys.state === 'error' && <ErrorState error={keys.error} onRetry={keys.retry} />}
      {keys.state === 'ready' && keys.data.items.length === 0 && (
        <EmptyState title="No API keys">Create one for each system that calls the API.</EmptyState>
      )}
      {keys.state === 'ready' && keys.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="API keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Access</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                {admin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((key) => (
                <tr key={key.id}>
                  <td className="strong">{key.name}</td>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>
                    {key.scopes.map((s) => (
                      <Badge key={s}>{s}</Badge>
                    ))}
                  </td>
                  <td>{formatDateTime(key.createdAt)}</td>
                  <td>{key.lastUsedAt ? formatRelative(key.lastUsedAt) : 'Never'}</td>
                  {admin && (
                    <td>
                      <button
                        type="button"
                        className="button button-danger button-small"
                        onClick={() => revoke(key)}
                      >
                        Revoke
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
