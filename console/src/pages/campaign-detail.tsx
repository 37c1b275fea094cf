import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { Campaign } from '../api/contracts.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { AgentRecord } from '../api/types.ts';
import { AddContacts, CampaignContacts } from '../components/campaign-contacts.tsx';
import { useConfirm } from '../components/confirm-dialog.tsx';
import { ErrorState, FormError, Loading } from '../components/states.tsx';
import { Badge, Card, PageHeader, ProgressBar, Stat } from '../components/ui.tsx';
import { RETRY_LABEL, RETRY_OUTCOMES, WEEKDAY_LABEL } from '../lib/campaign-form.ts';
import {
  type CampaignAction,
  CONTACT_STATE_LABEL,
  CONTACT_STATES,
  campaignActions,
  campaignProgress,
  campaignStatusTone,
  countsMoving,
  isCampaignLive,
  isEditable,
} from '../lib/campaign-state.ts';
import { formatDateTime, formatNumber, formatPhone, humanize } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';

const ACTION_LABEL: Record<CampaignAction, string> = {
  start: 'Start',
  pause: 'Pause',
  resume: 'Resume',
  cancel: 'Cancel campaign',
};

/** `/campaigns/{id}`: live counts per contact state, status actions, contacts and adding more. */
export default function CampaignDetailPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const editable = canWrite(user.role);
  const confirm = useConfirm();
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  const campaign = useApi(() => api.get<{ campaign: Campaign }>(path).then((r) => r.campaign), id, {
    pollMs: 3_000,
    pollWhile: countsMoving,
  });
  // Bumped when contacts were added, so the contacts table loads again.
  const [version, setVersion] = useState(0);
  const { busy, error, run } = useFormAction();

  const back = (
    <Link to="/campaigns" className="back-link">
      ← Campaigns
    </Link>
  );
  if (campaign.state === 'loading') return <Loading label="Loading campaign…" />;
  if (campaign.state === 'error')
    return (
      <>
        <PageHeader title="Campaign" back={back} />
        <ErrorState error={campaign.error} onRetry={campaign.retry} />
      </>
    );
  const c = campaign.data;
  const progress = campaignProgress(c.counts);
  const canAdd = editable && c.status !== 'completed' && c.status !== 'canceled';

  const act = async (action: CampaignAction) => {
    if (action === 'cancel') {
      const ok = await confirm({
        title: `Cancel “${c.name}”?`,
        message:
          'No contact is called again and the campaign cannot be restarted. Calls in progress finish normally.',
        confirmLabel: 'Cancel campaign',
        cancelLabel: 'Keep campaign',
        danger: true,
      });
      if (!ok) return;
    }
    await run(async () => {
      const { campaign: updated } = await api.post<{ campaign: Campaign }>(`${path}/${action}`);
      campaign.setData(updated);
    });
  };

  return (
    <>
      <PageHeader
        back={back}
        title={c.name}
        description={
          <>
            <Badge tone={campaignStatusTone(c.status)}>
              {isCampaignLive(c) && <span className="pulse" aria-hidden="true" />}
              {humanize(c.status)}
            </Badge>{' '}
            <span className="muted small">
              Created {formatDateTime(c.createdAt)}
              {c.endedAt ? ` · ended ${formatDateTime(c.endedAt)}` : ''}
              {c.endReason ? ` (${humanize(c.endReason)})` : ''}
            </span>
          </>
        }
        actions={
          editable && (
            <div className="button-row">
              {isEditable(c.status) && (
                <Link to={`/campaigns/${c.id}/edit`} className="button">
                  Edit
                </Link>
              )}
              {campaignActions(c.status).map((action) => (
                <button
                  key={action}
                  type="button"
                  disabled={busy}
                  className={`button ${action === 'cancel' ? 'button-danger' : 'button-primary'}`}
                  onClick={() => void act(action)}
                >
                  {ACTION_LABEL[action]}
                </button>
              ))}
            </div>
          )
        }
      />
      <FormError error={error} />
      <Card title="Progress">
        <div aria-live="polite">
          {progress.total === 0 ? (
            <p className="muted">No contacts yet: add some below, then start the campaign.</p>
          ) : (
            <>
              <ProgressBar percent={progress.percent} label="Contacts done" />
              <p className="muted small">
                {formatNumber(progress.done)} of {formatNumber(progress.total)} contacts done ·{' '}
                {formatNumber(progress.active)} calling · {formatNumber(progress.waiting)} waiting
              </p>
              <dl className="stats stats-compact" aria-label="Contacts per state">
                {CONTACT_STATES.map((state) => (
                  <Stat
                    key={state}
                    label={CONTACT_STATE_LABEL[state]}
                    value={formatNumber(c.counts[state])}
                  />
                ))}
              </dl>
            </>
          )}
        </div>
      </Card>
      {/* Full width: six columns do not fit beside the settings. */}
      <CampaignContacts campaignId={c.id} countsKey={JSON.stringify(c.counts)} version={version} />
      {canAdd ? (
        <div className="detail-grid">
          <div className="detail-main">
            <AddContacts
              campaignId={c.id}
              onAdded={() => {
                setVersion((v) => v + 1);
                void campaign.reload();
              }}
            />
          </div>
          <aside className="detail-side">
            <CampaignSettings campaign={c} />
          </aside>
        </div>
      ) : (
        <CampaignSettings campaign={c} />
      )}
    </>
  );
}

function CampaignSettings({ campaign: c }: { campaign: Campaign }) {
  const agent = useApi(
    () => api.get<{ agent: AgentRecord }>(`/v1/agents/${encodeURIComponent(c.agentId)}`).then((r) => r.agent),
    c.agentId,
  );
  return (
    <Card title="Settings">
      <dl className="kv">
        <div>
          <dt>Agent</dt>
          <dd>
            <Link to={`/agents/${c.agentId}`}>{agent.state === 'ready' ? agent.data.name : c.agentId}</Link>
          </dd>
        </div>
        <div>
          <dt>Calls from</dt>
          <dd>{c.from?.length ? c.from.map(formatPhone).join(', ') : 'The agent’s number'}</dd>
        </div>
        <div>
          <dt>Calling window</dt>
          <dd>
            {c.callingWindow.days.map((d) => WEEKDAY_LABEL[d]).join(', ')} · {c.callingWindow.start}–
            {c.callingWindow.end} (contact’s time)
          </dd>
        </div>
        <div>
          <dt>Period</dt>
          <dd>
            {c.schedule.startAt ? formatDateTime(c.schedule.startAt) : 'When started'} →{' '}
            {c.schedule.endAt ? formatDateTime(c.schedule.endAt) : 'no end'}
          </dd>
        </div>
        {c.timezone && (
          <div>
            <dt>Fallback zone</dt>
            <dd>{c.timezone}</dd>
          </div>
        )}
        <div>
          <dt>Calls at once</dt>
          <dd>{c.maxConcurrentCalls}</dd>
        </div>
        <div>
          <dt>Retries</dt>
          <dd>
            <ul className="plain">
              {RETRY_OUTCOMES.map((o) => (
                <li key={o}>
                  {RETRY_LABEL[o]}:{' '}
                  {c.retry[o].maxAttempts <= 1
                    ? 'no retry'
                    : `${c.retry[o].maxAttempts} attempts, ${c.retry[o].delayMinutes} min apart`}
                </li>
              ))}
            </ul>
          </dd>
        </div>
        {Object.keys(c.variables).length > 0 && (
          <div>
            <dt>Variables</dt>
            <dd>
              <ul className="plain">
                {Object.entries(c.variables).map(([name, value]) => (
                  <li key={name}>
                    <code>{name}</code> = {value}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
    </Card>
  );
}
