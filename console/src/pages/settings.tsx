import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { TenantSettings } from '../api/contracts.ts';
import { canAdminister, useUser } from '../api/session.tsx';
import { ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, Field, PageHeader } from '../components/ui.tsx';
import { useApi } from '../lib/use-api.ts';

export const SETTINGS_PATH = '/v1/settings';

function timezones(): string[] {
  const withValues = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return withValues.supportedValuesOf?.('timeZone') ?? ['UTC'];
}

export default function SettingsPage() {
  const user = useUser();
  const admin = canAdminister(user.role);
  const settings = useApi(
    () => api.get<{ settings: TenantSettings }>(SETTINGS_PATH).then((r) => r.settings),
    'settings',
  );
  const [timezone, setTimezone] = useState('UTC');
  const [mfaRequired, setMfaRequired] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (settings.state !== 'ready') return;
    setTimezone(settings.data.timezone);
    setMfaRequired(settings.data.mfaRequired);
  }, [settings.state, settings.data]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const result = await api.patch<{ settings: TenantSettings }>(SETTINGS_PATH, { timezone, mfaRequired });
      settings.setData(result.settings);
      setSaved(true);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader
        title="Settings"
        description="How this account counts days and who must use two-step verification."
      />
      <Card title="Your sign-in" className="narrow">
        <p>
          {user.email} · two-step verification{' '}
          {user.mfaEnabled ? <Badge tone="good">on</Badge> : <Badge tone="warn">off</Badge>}
        </p>
        {!user.mfaEnabled && (
          <Link className="button" to="/settings/mfa">
            Set up two-step verification
          </Link>
        )}
      </Card>
      <Card title="Account" className="narrow">
        {settings.state === 'loading' && <Loading label="Loading settings…" />}
        {settings.state === 'error' && <ErrorState error={settings.error} onRetry={settings.retry} />}
        {settings.state === 'ready' && (
          <form className="form" onSubmit={save}>
            <Field
              label="Timezone"
              hint="Days and months of the dashboard and analytics are counted in this timezone."
            >
              {(p) => (
                <select
                  {...p}
                  disabled={!admin}
                  value={timezone}
                  onChange={(e) => setTimezone(e.target.value)}
                >
                  {timezones().map((tz) => (
                    <option key={tz} value={tz}>
                      {tz}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <label className="check">
              <input
                type="checkbox"
                disabled={!admin}
                checked={mfaRequired}
                onChange={(e) => setMfaRequired(e.target.checked)}
              />
              Require two-step verification for everyone
            </label>
            <FormError error={error} />
            {admin && (
              <div className="form-actions">
                <button type="submit" className="button button-primary" disabled={busy}>
                  {busy ? 'Saving…' : 'Save settings'}
                </button>
                {saved && (
                  <span className="saved" role="status">
                    Saved
                  </span>
                )}
              </div>
            )}
          </form>
        )}
      </Card>
    </>
  );
}
