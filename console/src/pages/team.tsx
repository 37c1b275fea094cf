import { useState } from 'react';
import { api } from '../api/client.ts';
import type { CreatedInvitation, Invitation, Role, User } from '../api/contracts.ts';
import { canAdminister, useUser } from '../api/session.tsx';
import type { Page } from '../api/types.ts';
import { ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, Field, PageHeader, SecretBox } from '../components/ui.tsx';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';
import { useConfirm } from '../components/confirm-dialog.tsx';

const ROLES: { id: Role; label: string }[] = [
  { id: 'owner', label: 'Owner' },
  { id: 'admin', label: 'Admin' },
  { id: 'member', label: 'Member' },
  { id: 'viewer', label: 'Viewer' },
];

export default function TeamPage() {
  const me = useUser();
  const confirm = useConfirm();
  const admin = canAdminister(me.role);
  const users = useApi(() => api.get<Page<User>>('/v1/users?limit=100'), 'users');
  const invitations = useApi(
    () =>
      admin
        ? api.get<Page<Invitation>>('/v1/invitations?limit=100')
        : Promise.resolve({ items: [], nextCursor: null }),
    'invitations',
  );
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const form = useFormAction(async () => {
    setCreated(await api.post<CreatedInvitation>('/v1/invitations', { email, role }));
    setEmail('');
    await Promise.all([users.reload(), invitations.reload()]);
  });
  const { busy, error } = form;
  const invite = form.submit;
  /** A change to a person or invitation, then both lists as they now are. */
  const run = (action: () => Promise<unknown>) =>
    form.run(async () => {
      await action();
      await Promise.all([users.reload(), invitations.reload()]);
    });

  return (
    <>
      <PageHeader
        title="Team"
        description="People who sign in to this account, their roles and two-step verification."
      />
      {admin && (
        <Card title="Invite someone">
          <form className="form form-row" onSubmit={invite}>
            <Field label="Email">
              {(p) => (
                <input
                  {...p}
                  type="email"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              )}
            </Field>
            <Field label="Role">
              {(p) => (
                <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                  {ROLES.filter((r) => me.role === 'owner' || r.id !== 'owner').map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="submit" className="button button-primary" disabled={busy}>
              Send invitation
            </button>
          </form>
          {created && (
            <SecretBox
              label={`Invitation link for ${created.invitation.email}`}
              secret={created.url}
              note={`Valid until ${formatDateTime(created.invitation.expiresAt)}, for one use. It was also emailed when email is configured.`}
            />
          )}
          <FormError error={error} />
        </Card>
      )}
      <Card title="Members">
        {users.state === 'loading' && <Loading label="Loading members…" />}
        {users.state === 'error' && <ErrorState error={users.error} onRetry={users.retry} />}
        {users.state === 'ready' && (
          <div className="table-wrap">
            <table className="table" aria-label="Members">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Role</th>
                  <th scope="col">Two-step</th>
                  <th scope="col">Last sign-in</th>
                  {admin && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((u) => (
                  <tr key={u.id}>
                    <td>
                      <span className="strong">{u.name || u.email}</span>
                      {u.id === me.id && <Badge>you</Badge>}
                      <span className="muted small block">{u.email}</span>
                    </td>
                    <td>
                      {admin && u.id !== me.id ? (
                        <select
                          aria-label={`Role of ${u.email}`}
                          value={u.role}
                          disabled={busy}
                          onChange={(e) =>
                            run(() => api.patch(`/v1/users/${u.id}`, { role: e.target.value }))
                          }
                        >
                          {ROLES.map((r) => (
                            <option key={r.id} value={r.id}>
                              {r.label}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <Badge>{u.role}</Badge>
                      )}
                    </td>
                    <td>{u.mfaEnabled ? <Badge tone="good">On</Badge> : <Badge tone="warn">Off</Badge>}</td>
                    <td>{u.lastSignInAt ? formatRelative(u.lastSignInAt) : 'Never'}</td>
                    {admin && (
                      <td>
                        {u.id !== me.id && (
                          <button
                            type="button"
                            className="button button-danger button-small"
                            disabled={busy}
                            onClick={async () => {
                              const ok = await confirm({
                                title: `Remove ${u.email} from the team?`,
                                message: 'They can no longer sign in to this account.',
                                confirmLabel: 'Remove member',
                                danger: true,
                              });
                              if (ok) await run(() => api.delete(`/v1/users/${u.id}`));
                            }}
                          >
                            Remove
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {admin && invitations.state === 'ready' && invitations.data.items.length > 0 && (
        <Card title="Pending invitations">
          <ul className="annotation-list">
            {invitations.data.items.map((inv) => (
              <li key={inv.id} className="row-between">
                <span>
                  <span className="strong">{inv.email}</span> <Badge>{inv.role}</Badge>
                  <span className="muted small block">Expires {formatDateTime(inv.expiresAt)}</span>
                </span>
                <button
                  type="button"
                  className="button button-small"
                  disabled={busy}
                  onClick={() => run(() => api.delete(`/v1/invitations/${inv.id}`))}
                >
                  Cancel
                </button>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </>
  );
}
