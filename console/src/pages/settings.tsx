import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { AnalyticsSummary, SecuritySettings } from '../api/contracts.ts';
import { useSignedIn } from '../api/session.tsx';
import { ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, PageHeader } from '../components/ui.tsx';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';

const SETTINGS_PATH = '/v1/security-settings';

export default function SettingsPage() {
  const { user, tenant } = useSignedIn();
  // The security policy is the owners' to change (docs/people.md).
  const owner = user.role === 'owner';
  const settings = useApi(
    () => api.get<{ settings: SecuritySettings }>(SETTINGS_PATH).then((r) => r.settings),
    'settings',
  );
  // The analytics timezone is set on the tenant by the platform; the summary says which one applies.
  const zone = useApi(
    () => api.get<AnalyticsSummary>('/v1/analytics/summary').then((r) => r.range.timezone),
    'zone',
  );
  const [mfaRequired, setMfaRequired] = useState(false);
  const [saved, setSaved] = useState(false);
  const {
    busy,
    error,
    submit: save,
  } = useFormAction(async () => {
    setSaved(false);
    const result = await api.patch<{ settings: SecuritySettings }>(SETTINGS_PATH, { mfaRequired });
    settings.setData(result.settings);
    setSaved(true);
  });

  useEffect(() => {
    if (settings.state !== 'ready') return;
    setMfaRequired(settings.data.mfaRequired);
  }, [settings.state, settings.data]);

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
      <Card title="Account security" className="narrow">
        {settings.state === 'loading' && <Loading label="Loading settings…" />}
        {settings.state === 'error' && <ErrorState error={settings.error} onRetry={settings.retry} />}
        {settings.state === 'ready' && (
          <form className="form" onSubmit={save}>
            <label className="check">
              <input
                type="checkbox"
                disabled={!owner}
                checked={mfaRequired}
                onChange={(e) => setMfaRequired(e.target.checked)}
              />
              Require two-step verification for everyone in {tenant?.name ?? 'this account'}
            </label>
            <p className="hint">
              People without it are asked to set it up at their next sign-in.{' '}
              {owner ? '' : 'Only owners can change this.'}
            </p>
            <FormError error={error} />
            {owner && (
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
      <Card title="Reporting" className="narrow">
        <dl className="kv">
          <div>
            <dt>Timezone of days and months</dt>
            <dd>{zone.state === 'ready' ? zone.data : zone.state === 'loading' ? '…' : 'Unavailable'}</dd>
          </div>
        </dl>
        <p className="hint">
          The dashboard and exports count days in this timezone. Your platform administrator sets it.
        </p>
      </Card>
    </>
  );
}
