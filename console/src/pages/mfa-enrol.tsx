import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import QRCode from 'qrcode';
import { api } from '../api/client.ts';
import type { MfaEnrolment } from '../api/contracts.ts';
import { useSession, useUser } from '../api/session.tsx';
import { FormError } from '../components/states.tsx';
import { Card, Field, PageHeader, SecretBox } from '../components/ui.tsx';
import { useFormAction } from '../lib/use-form-action.ts';

/** `/settings/mfa`: turn on two-step verification with an authenticator app (QR code), then keep the recovery codes. */
export default function MfaEnrolPage() {
  const user = useUser();
  const { refreshUser } = useSession();
  const [search] = useSearchParams();
  const [enrolment, setEnrolment] = useState<MfaEnrolment | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const form = useFormAction(async () => {
    const result = await api.post<{ recoveryCodes: string[] }>('/v1/auth/mfa/confirm', {
      code: code.replace(/\s+/g, ''),
    });
    setRecoveryCodes(result.recoveryCodes);
    await refreshUser();
  });
  const { busy, error, setError, submit: confirm } = form;

  useEffect(() => {
    if (!enrolment) return;
    // A data: URL image (no inline script or style needed, so the CSP stays strict).
    QRCode.toDataURL(enrolment.otpauthUri, { margin: 1, width: 200 }).then(setQr, (err: Error) =>
      setError(err),
    );
  }, [enrolment, setError]);

  const begin = () =>
    form.run(async () => {
      setEnrolment(await api.post<MfaEnrolment>('/v1/auth/mfa/enroll'));
    });

  const back = (
    <Link to="/settings" className="back-link">
      ← Settings
    </Link>
  );
  return (
    <>
      <PageHeader
        back={back}
        title="Two-step verification"
        description={
          search.get('welcome')
            ? 'Welcome aboard. Protect your account with a second step before you start.'
            : 'A code from your phone at every sign-in.'
        }
      />
      <Card className="narrow">
        {recoveryCodes ? (
          <>
            <p className="strong">Two-step verification is on.</p>
            <SecretBox
              label="Recovery codes"
              secret={recoveryCodes.join('  ')}
              note="Each works once if you lose your phone. Keep them somewhere safe: they are shown only now."
            />
            <Link className="button button-primary" to="/">
              Continue to the dashboard
            </Link>
          </>
        ) : user.mfaEnabled && !enrolment ? (
          <p>Two-step verification is already on for {user.email}.</p>
        ) : !enrolment ? (
          <>
            <ol className="steps">
              <li>Install an authenticator app (1Password, Google Authenticator, Authy…).</li>
              <li>Scan the QR code we show next.</li>
              <li>Type the 6-digit code it displays.</li>
            </ol>
            <button type="button" className="button button-primary" onClick={begin} disabled={busy}>
              {busy ? 'Preparing…' : 'Set up two-step verification'}
            </button>
          </>
        ) : (
          <form className="form" onSubmit={confirm}>
            <div className="qr">
              {qr ? (
                <img src={qr} width={200} height={200} alt="QR code to scan with your authenticator app" />
              ) : (
                <div className="qr-placeholder" />
              )}
              <div>
                <p className="small">Can’t scan? Enter this key in the app:</p>
                <code className="secret-value">{enrolment.secret}</code>
              </div>
            </div>
            <Field label="Code from the app">
              {(p) => (
                <input
                  {...p}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  required
                  pattern="[0-9 ]{6,7}"
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                />
              )}
            </Field>
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Checking…' : 'Turn on'}
            </button>
          </form>
        )}
        <FormError error={error} />
      </Card>
    </>
  );
}
