import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { Campaign } from '../api/contracts.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { AgentRecord, Page, PhoneNumber } from '../api/types.ts';
import { CampaignRetryFields, CampaignVariablesFields } from '../components/campaign-fields.tsx';
import { EmptyState, ErrorState, FormError, Loading } from '../components/states.tsx';
import { Card, Field, PageHeader } from '../components/ui.tsx';
import {
  type CampaignForm,
  campaignFormToBody,
  campaignToForm,
  WEEKDAY_LABEL,
  WEEKDAYS,
} from '../lib/campaign-form.ts';
import { isEditable } from '../lib/campaign-state.ts';
import { formatPhone } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';

/** `{{name}}` placeholders of an agent's instructions and greeting (what contacts must fill). */
const placeholdersOf = (agent: AgentRecord | undefined) => [
  ...new Set(
    [
      ...`${agent?.instructions ?? ''} ${agent?.greeting ?? ''}`.matchAll(/\{\{\s*([A-Za-z_]\w*)\s*\}\}/g),
    ].map((m) => m[1] as string),
  ),
];

/** `/campaigns/new` and `/campaigns/{id}/edit`: the campaign's settings (a draft or paused one). */
export default function CampaignEditPage() {
  const { id } = useParams();
  const creating = !id;
  const navigate = useNavigate();
  const user = useUser();
  const campaign = useApi(
    () =>
      id
        ? api.get<{ campaign: Campaign }>(`/v1/campaigns/${encodeURIComponent(id)}`).then((r) => r.campaign)
        : Promise.resolve(undefined),
    id ?? 'new',
  );
  const agents = useApi(() => api.get<Page<AgentRecord>>('/v1/agents?limit=100'), 'agents');
  const numbers = useApi(() => api.get<Page<PhoneNumber>>('/v1/phone-numbers?limit=100'), 'numbers');
  const [form, setForm] = useState<CampaignForm>(campaignToForm());
  const set = <K extends keyof CampaignForm>(key: K, value: CampaignForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  useEffect(() => {
    if (campaign.state === 'ready' && campaign.data) setForm(campaignToForm(campaign.data));
  }, [campaign.state, campaign.data]);
  // A new campaign starts with the first agent picked.
  useEffect(() => {
    if (creating && agents.state === 'ready' && !form.agentId && agents.data.items[0])
      setForm((f) => ({ ...f, agentId: agents.data.items[0]?.id ?? '' }));
  }, [creating, agents.state, agents.data, form.agentId]);

  const { busy, error, submit } = useFormAction(async () => {
    const body = campaignFormToBody(form, creating ? 'create' : 'edit');
    const saved = creating
      ? await api.post<{ campaign: Campaign }>('/v1/campaigns', body)
      : await api.patch<{ campaign: Campaign }>(`/v1/campaigns/${encodeURIComponent(id as string)}`, body);
    navigate(`/campaigns/${saved.campaign.id}`, { replace: creating });
  });

  const back = (
    <Link to={id ? `/campaigns/${id}` : '/campaigns'} className="back-link">
      ← {id ? 'Campaign' : 'Campaigns'}
    </Link>
  );
  if (campaign.state === 'loading' || agents.state === 'loading')
    return <Loading label="Loading campaign…" />;
  const failed = campaign.state === 'error' ? campaign : agents.state === 'error' ? agents : null;
  if (failed?.error)
    return (
      <>
        <PageHeader title="Campaign" back={back} />
        <ErrorState error={failed.error} onRetry={failed.retry} />
      </>
    );
  const agentList = agents.state === 'ready' ? agents.data.items : [];
  const numberList = numbers.state === 'ready' ? numbers.data.items : [];
  const current = campaign.state === 'ready' ? campaign.data : undefined;
  if (!canWrite(user.role) || (current && !isEditable(current.status)))
    return (
      <>
        <PageHeader title={current?.name ?? 'New campaign'} back={back} />
        <EmptyState title="This campaign cannot be edited">
          {current
            ? `Only draft and paused campaigns change; this one is ${current.status}.`
            : 'Your role may not create campaigns.'}
        </EmptyState>
      </>
    );
  if (creating && agentList.length === 0)
    return (
      <>
        <PageHeader title="New campaign" back={back} />
        <EmptyState
          title="Create an agent first"
          action={
            <Link to="/agents/new" className="button button-primary">
              New agent
            </Link>
          }
        >
          A campaign needs an agent to talk on its calls, with a phone number to call from.
        </EmptyState>
      </>
    );
  const agent = agentList.find((a) => a.id === form.agentId);
  const placeholders = current?.placeholders ?? placeholdersOf(agent);
  const fromList = form.from.split('\n').filter(Boolean);

  return (
    <>
      <PageHeader
        back={back}
        title={creating ? 'New campaign' : `Edit ${current?.name ?? 'campaign'}`}
        description={
          creating
            ? 'Saved as a draft: add contacts, then start it.'
            : 'Changes apply from the next dispatch (after you resume a paused campaign).'
        }
      />
      <form className="form campaign-form" onSubmit={submit} aria-label="Campaign settings">
        <Card title="Basics">
          <div className="field-row">
            <Field label="Name">
              {(p) => (
                <input
                  {...p}
                  name="name"
                  required
                  maxLength={200}
                  placeholder="Appointment reminders"
                  value={form.name}
                  onChange={(e) => set('name', e.target.value)}
                />
              )}
            </Field>
            <Field
              label="Agent"
              hint={
                creating ? 'Talks on every call of the campaign.' : 'The agent of a campaign cannot change.'
              }
            >
              {(p) => (
                <select
                  {...p}
                  name="agentId"
                  required
                  disabled={!creating}
                  value={form.agentId}
                  onChange={(e) => set('agentId', e.target.value)}
                >
                  {agentList.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <fieldset className="checks">
            <legend>Call from</legend>
            <p className="hint">
              None ticked: the agent’s own number. Several: a pool (each contact always hears the same one).
            </p>
            {numberList.length === 0 && <p className="muted small">No phone numbers yet.</p>}
            {numberList.map((n) => (
              <label key={n.id} className="check">
                <input
                  type="checkbox"
                  checked={fromList.includes(n.number)}
                  onChange={(e) =>
                    set(
                      'from',
                      (e.target.checked
                        ? [...fromList, n.number]
                        : fromList.filter((x) => x !== n.number)
                      ).join('\n'),
                    )
                  }
                />
                {formatPhone(n.number)} <span className="muted small">({n.provider})</span>
              </label>
            ))}
          </fieldset>
        </Card>
        <Card title="When to call">
          <div className="field-row">
            <Field label="Start" hint="No call before this (empty: when you start it). Your local time.">
              {(p) => (
                <input
                  {...p}
                  type="datetime-local"
                  value={form.startAt}
                  onChange={(e) => set('startAt', e.target.value)}
                />
              )}
            </Field>
            <Field label="End" hint="No call after this; the campaign then completes (empty: no end).">
              {(p) => (
                <input
                  {...p}
                  type="datetime-local"
                  value={form.endAt}
                  onChange={(e) => set('endAt', e.target.value)}
                />
              )}
            </Field>
          </div>
          <fieldset className="checks checks-inline">
            <legend>Calling days</legend>
            {WEEKDAYS.map((day) => (
              <label key={day} className="check">
                <input
                  type="checkbox"
                  checked={form.days.includes(day)}
                  onChange={(e) =>
                    set('days', e.target.checked ? [...form.days, day] : form.days.filter((d) => d !== day))
                  }
                />
                {WEEKDAY_LABEL[day]}
              </label>
            ))}
          </fieldset>
          <div className="field-row">
            <Field label="Calls from" hint="Each contact’s own local time.">
              {(p) => (
                <input
                  {...p}
                  type="time"
                  required
                  value={form.start}
                  onChange={(e) => set('start', e.target.value)}
                />
              )}
            </Field>
            <Field label="Calls until" hint="No call starts at or after this.">
              {(p) => (
                <input
                  {...p}
                  type="time"
                  required
                  value={form.end}
                  onChange={(e) => set('end', e.target.value)}
                />
              )}
            </Field>
            <Field
              label="Fallback time zone"
              hint="For numbers of countries with several zones (US, Canada…) when a contact has none."
            >
              {(p) => (
                <input
                  {...p}
                  placeholder="America/Chicago"
                  value={form.timezone}
                  onChange={(e) => set('timezone', e.target.value)}
                />
              )}
            </Field>
          </div>
        </Card>
        <Card title="Pace and retries">
          <Field label="Calls at once" hint="Your account’s own limit applies too.">
            {(p) => (
              <input
                {...p}
                type="number"
                min={1}
                max={1000}
                required
                value={form.maxConcurrentCalls}
                onChange={(e) => set('maxConcurrentCalls', e.target.value)}
              />
            )}
          </Field>
          <CampaignRetryFields value={form.retry} onChange={(retry) => set('retry', retry)} />
        </Card>
        <Card title="Variables">
          <CampaignVariablesFields
            value={form.variables}
            placeholders={placeholders}
            onChange={(variables) => set('variables', variables)}
          />
        </Card>
        <FormError error={error} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : creating ? 'Create campaign' : 'Save changes'}
          </button>
        </div>
      </form>
    </>
  );
}
