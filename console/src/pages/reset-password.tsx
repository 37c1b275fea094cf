import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { AuthLayout } from '../components/auth-layout.tsx';
import { FormError } from '../components/states.tsx';
import { NewPasswordFields } from '../components/new-password-fields.tsx';
import { Field } from '../components/ui.tsx';
import { passwordProblem } from '../lib/password.ts';
import { useFormAction } from '../lib/use-form-action.ts';

/**
 * `/reset-password` asks for a reset link; `/reset-password?token=…` (the link) sets the new
 * password. The request answer is the same whether or not the email has an account.
 */
export default function ResetPasswordPage() {
  const [search] = useSearchParams();
  const token = search.get('token');
  return token ? <ConfirmReset token={token} /> : <RequestReset />;
}

function RequestReset() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, submit } = useFormAction(async () => {
    await api.post('/v1/auth/password-reset', { email });
    setSent(true);
  });

  if (sent) {
    return (
      <AuthLayout
        title="Check your email"
        subtitle={`If ${email} has an account, a reset link is on its way. It expires soon, so use it today.`}
      >
        <Link className="button button-block" to="/sign-in">
          Back to sign-in
        </Link>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Reset your password" subtitle="We will email you a link to choose a new password.">
      <form className="form" onSubmit={submit}>
        <Field label="Email">
          {(props) => (
            <input
              {...props}
              name="email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <FormError error={error} />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Sending…' : 'Send reset link'}
        </button>
        <p className="center small">
          <Link to="/sign-in">Back to sign-in</Link>
        </p>
      </form>
    </AuthLayout>
  );
}

function ConfirmReset({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, submit } = useFormAction(async () => {
    const problem = passwordProblem(password, confirm);
    if (problem) throw new Error(problem);
    await api.post('/v1/auth/password-reset/confirm', { token, password });
    setDone(true);
  });

  if (done) {
    return (
      <AuthLayout
        title="Password changed"
        subtitle="Sign in with your new password. Other sessions were signed out."
      >
        <Link className="button button-primary button-block" to="/sign-in">
          Sign in
        </Link>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Choose a new password">
      <form className="form" onSubmit={submit}>
        <NewPasswordFields
          label="New password"
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
        />
        <FormError error={error} />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Saving…' : 'Set password'}
        </button>
      </form>
    </AuthLayout>
  );
}
