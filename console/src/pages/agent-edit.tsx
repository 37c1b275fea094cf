import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { KnowledgeBase } from '../api/contracts.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { AgentRecord, Page } from '../api/types.ts';
import { RecordingFields, VoicemailFields } from '../components/call-handling-fields.tsx';
import { ToolsEditor } from '../components/tools-editor.tsx';
import { TalkToAgent } from '../components/talk-to-agent.tsx';
import { ErrorState, FormError, Loading } from '../components/states.tsx';
import { Card, Field, PageHeader } from '../components/ui.tsx';
import { type AgentForm, agentToForm, formToBody } from '../lib/agent-form.ts';
import { useApi } from '../lib/use-api.ts';
import { useFormAction } from '../lib/use-form-action.ts';

const VOICES = ['alloy', 'ash', 'ballad', 'cedar', 'coral', 'echo', 'marin', 'sage', 'shimmer', 'verse'];

/** `/agents/new` and `/agents/{id}`: the agent editor, and for a saved agent the in-page test call. */
export default function AgentEditPage() {
  const { id } = useParams();
  const creating = !id;
  const user = useUser();
  const editable = canWrite(user.role);
  const navigate = useNavigate();
  const agent = useApi(
    () =>
      id
        ? api.get<{ agent: AgentRecord }>(`/v1/agents/${encodeURIComponent(id)}`).then((r) => r.agent)
        : Promise.resolve(undefined),
    id ?? 'new',
  );
  // Knowledge bases are optional: without that API the editor simply has no knowledge section.
  const knowledge = useApi(
    () => api.get<Page<KnowledgeBase>>('/v1/knowledge-bases?limit=100').catch(() => null),
    'kbs',
  );
  const [form, setForm] = useState<AgentForm>(agentToForm());
  const [saved, setSaved] = useState(false);
  const kbs = knowledge.state === 'ready' && knowledge.data ? knowledge.data.items : null;
  const { busy, error, submit } = useFormAction(async () => {
    const body = formToBody(form, creating ? 'create' : 'edit', kbs !== null);
    if (creating) {
      const { agent: created } = await api.post<{ agent: AgentRecord }>('/v1/agents', body);
      navigate(`/agents/${created.id}`, { replace: true });
    } else {
      const { agent: updated } = await api.patch<{ agent: AgentRecord }>(
        `/v1/agents/${encodeURIComponent(id as string)}`,
        body,
      );
      agent.setData(updated);
      setSaved(true);
    }
  });

  useEffect(() => {
    if (agent.state === 'ready') setForm(agentToForm(agent.data));
  }, [agent.state, agent.data]);

  const back = (
    <Link to="/agents" className="back-link">
      ← Agents
    </Link>
  );
  if (agent.state === 'loading') return <Loading label="Loading agent…" />;
  if (agent.state === 'error')
    return (
      <>
        <PageHeader title="Agent" back={back} />
        <ErrorState error={agent.error} onRetry={agent.retry} />
      </>
    );

  const set = <K extends keyof AgentForm>(key: K, value: AgentForm[K]) => {
    setSaved(false);
    setForm((f) => ({ ...f, [key]: value }));
  };
  const text = (key: keyof AgentForm, label: string, props: Record<string, unknown> = {}, hint?: string) => (
    <Field label={label} hint={hint}>
      {(p) => (
        <input
          {...p}
          {...props}
          name={key}
          disabled={!editable}
          value={form[key] as string}
          onChange={(e) => set(key, e.target.value as never)}
        />
      )}
    </Field>
  );

  return (
    <>
      <PageHeader
        back={back}
        title={creating ? 'New agent' : form.name || 'Agent'}
        description={
          creating ? (
            'Describe how the agent should talk; you can change everything later.'
          ) : (
            <code>{id}</code>
          )
        }
      />
      <div className="detail-grid">
        <form className="detail-main form" onSubmit={submit} aria-label="Agent settings">
          <Card title="Basics">
            {text('name', 'Name', { required: true, maxLength: 200 })}
            <Field label="Instructions" hint="What the agent knows, how it speaks, what it must never do.">
              {(p) => (
                <textarea
                  {...p}
                  name="instructions"
                  required
                  rows={8}
                  disabled={!editable}
                  value={form.instructions}
                  onChange={(e) => set('instructions', e.target.value)}
                />
              )}
            </Field>
            {text(
              'greeting',
              'Greeting',
              { maxLength: 2000 },
              'Spoken first when a call connects; empty lets the model open.',
            )}
            <div className="field-row">
              <Field label="Voice">
                {(p) => (
                  <select
                    {...p}
                    name="voice"
                    disabled={!editable}
                    value={form.voice}
                    onChange={(e) => set('voice', e.target.value)}
                  >
                    {VOICES.map((v) => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {text(
                'language',
                'Language',
                { placeholder: 'en-US', pattern: '[a-z]{2}(-[A-Z]{2})?' },
                'ISO code, e.g. en or en-US',
              )}
            </div>
          </Card>
          <Card title="Calls">
            <div className="field-row">
              {text(
                'transferNumber',
                'Transfer number',
                { placeholder: '+14155550100', type: 'tel' },
                'Where "transfer to a person" goes (E.164).',
              )}
              <Field
                label="Warm transfer numbers"
                hint="Other people the agent may hand a caller to with a briefing; one per line (E.164)."
              >
                {(p) => (
                  <textarea
                    {...p}
                    name="transferNumbers"
                    rows={2}
                    disabled={!editable}
                    placeholder="+14155550101"
                    value={form.transferNumbers}
                    onChange={(e) => set('transferNumbers', e.target.value)}
                  />
                )}
              </Field>
            </div>
            <div className="field-row">
              {text(
                'webhookUrl',
                'Webhook URL',
                { type: 'url', placeholder: 'https://' },
                'This agent’s call events; the account webhook otherwise.',
              )}
            </div>
            <div className="field-row">
              {text('maxDurationSeconds', 'Max call length (seconds)', {
                type: 'number',
                min: 30,
                max: 14400,
                required: true,
              })}
              {text('idleTimeoutSeconds', 'Silence timeout (seconds)', {
                type: 'number',
                min: 5,
                max: 600,
                required: true,
              })}
            </div>
          </Card>
          <RecordingFields
            value={form.recording}
            disabled={!editable}
            onChange={(recording) => set('recording', recording)}
          />
          <VoicemailFields
            value={form.voicemail}
            disabled={!editable}
            onChange={(voicemail) => set('voicemail', voicemail)}
          />
          <Card title="Tools">
            <ToolsEditor tools={form.tools} disabled={!editable} onChange={(tools) => set('tools', tools)} />
          </Card>
          {kbs && (
            <Card title="Knowledge bases">
              {kbs.length === 0 ? (
                <p className="muted small">
                  No knowledge bases yet. <Link to="/knowledge-bases">Create one</Link> to let the agent look
                  facts up during calls.
                </p>
              ) : (
                <fieldset className="checks">
                  <legend className="visually-hidden">Knowledge bases the agent searches</legend>
                  {kbs.map((kb) => (
                    <label key={kb.id} className="check">
                      <input
                        type="checkbox"
                        disabled={!editable}
                        checked={form.knowledgeBaseIds.includes(kb.id)}
                        onChange={(e) =>
                          set(
                            'knowledgeBaseIds',
                            e.target.checked
                              ? [...form.knowledgeBaseIds, kb.id]
                              : form.knowledgeBaseIds.filter((k) => k !== kb.id),
                          )
                        }
                      />
                      {kb.name}
                    </label>
                  ))}
                </fieldset>
              )}
            </Card>
          )}
          <FormError error={error} />
          {editable && (
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? 'Saving…' : creating ? 'Create agent' : 'Save changes'}
              </button>
              {saved && (
                <span className="saved" role="status">
                  Saved
                </span>
              )}
            </div>
          )}
        </form>
        {!creating && id && (
          <aside className="detail-side">
            <TalkToAgent agentId={id} />
          </aside>
        )}
      </div>
    </>
  );
}
