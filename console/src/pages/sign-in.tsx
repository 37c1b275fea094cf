import { useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import type { SignedIn, SignInResult } from '../api/contracts.ts';
import { useSession } from '../api/session.tsx';
import { AuthLayout } from '../components/auth-layout.tsx';
import { FormError } from '../components/states.tsx';
import { Field } from '../components/ui.tsx';
import { safeNext } from '../lib/navigation.ts';
import { useFormAction } from '../lib/use-form-action.ts';

/** Email and password, then (when the account has MFA) a TOTP or recovery code. */
export default function SignInPage() {
  const { session, signedIn } = useSession();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(search.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const finish = (result: SignedIn) => {
    signedIn(result);
    navigate(next, { replace: true });
  };
  const passwordStep = useFormAction(async () => {
    const result = await api.post<SignInResult>('/v1/auth/sign-in', { email, password });
    if ('mfaRequired' in result) setMfaToken(result.mfaToken);
    else finish(result);
  });
  const codeStep = useFormAction(async () => {
    finish(await api.post<SignedIn>('/v1/auth/mfa', { mfaToken, code: code.replace(/\s+/g, '') }));
  });
  const busy = passwordStep.busy || codeStep.busy;

  if (session.status === 'signed-in' && !busy) return <Navigate to={next} replace />;

  if (mfaToken) {
    return (
      <AuthLayout
        title="Two-step verification"
        subtitle="Enter the 6-digit code from your authenticator app, or one of your recovery codes."
      >
        <form className="form" onSubmit={codeStep.submit}>
          <Field label="Verification code">
            {(props) => (
              <input
                {...props}
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            )}
          </Field>
          <FormError error={codeStep.error} />
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Verifying…' : 'Verify'}
          </button>
          <button
            type="button"
            className="button button-ghost button-block"
            onClick={() => {
              setMfaToken(null);
              setCode('');
              codeStep.setError(null);
            }}
          >
            Use another account
          </button>
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Sign in"
      subtitle="Run your AI phone agents, read every call."
      footer={<p className="muted small">Invited to a team? Open the link in your invitation email.</p>}
    >
      <form className="form" onSubmit={passwordStep.submit}>
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
        <Field label="Password">
          {(props) => (
            <input
              {...props}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <FormError error={passwordStep.error} />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="center small">
          <Link to="/reset-password">Forgot your password?</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
