import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import type { SignedIn } from '../api/contracts.ts';
import { useSession } from '../api/session.tsx';
import { AuthLayout } from '../components/auth-layout.tsx';
import { FormError } from '../components/states.tsx';
import { NewPasswordFields } from '../components/new-password-fields.tsx';
import { Field } from '../components/ui.tsx';
import { passwordProblem } from '../lib/password.ts';
import { useFormAction } from '../lib/use-form-action.ts';

/** `/accept-invitation?token=…`: the link an invitation carries; sets the name and password. */
export default function AcceptInvitationPage() {
  const [search] = useSearchParams();
  const token = search.get('token');
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, error, submit } = useFormAction(async () => {
    const problem = passwordProblem(password, confirm);
    if (problem) throw new Error(problem);
    const result = await api.post<SignedIn>('/v1/auth/accept-invitation', { token, password, name });
    signedIn(result);
    navigate('/settings/mfa?welcome=1', { replace: true });
  });

  if (!token) {
    return (
      <AuthLayout
        title="Invitation link incomplete"
        subtitle="This link has no invitation token. Open the full link from your invitation, or ask for a new one."
      >
        <Link className="button button-block" to="/sign-in">
          Go to sign-in
        </Link>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Join your team" subtitle="Choose your name and a password to accept the invitation.">
      <form className="form" onSubmit={submit}>
        <Field label="Your name">
          {(props) => (
            <input
              {...props}
              name="name"
              autoComplete="name"
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <NewPasswordFields
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
        />
        <FormError error={error} />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Joining…' : 'Accept invitation'}
        </button>
      </form>
    </AuthLayout>
  );
}
