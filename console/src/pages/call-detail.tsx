import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { AgentRecord, Call, Escalation, Note, Page, TranscriptTurn } from '../api/types.ts';
import { CallAnnotations } from '../components/call-annotations.tsx';
import { RecordingCard } from '../components/recording-card.tsx';
import { Transcript } from '../components/transcript.tsx';
import { TransfersCard } from '../components/transfers-card.tsx';
import { ErrorState, Loading } from '../components/states.tsx';
import { Badge, Card, PageHeader } from '../components/ui.tsx';
import { isLive, STATUS_LABEL, statusTone } from '../lib/call-state.ts';
import { formatDateTime, formatDuration, formatLatency, formatPhone, humanize, NONE } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';

interface CallBundle {
  call: Call;
  transcript: TranscriptTurn[];
  notes: Note[];
  escalations: Escalation[];
  agent: AgentRecord | null;
}

async function loadCall(id: string): Promise<CallBundle> {
  const { call } = await api.get<{ call: Call }>(`/v1/calls/${encodeURIComponent(id)}`);
  const [transcript, notes, escalations, agent] = await Promise.all([
    api.get<Page<TranscriptTurn>>(`/v1/calls/${encodeURIComponent(id)}/transcript`),
    api.get<Page<Note>>(`/v1/calls/${encodeURIComponent(id)}/notes?limit=100`),
    api.get<Page<Escalation>>(`/v1/calls/${encodeURIComponent(id)}/escalations?limit=100`),
    api.get<{ agent: AgentRecord }>(`/v1/agents/${encodeURIComponent(call.agentId)}`).then(
      (r) => r.agent,
      () => null,
    ),
  ]);
  return { call, transcript: transcript.items, notes: notes.items, escalations: escalations.items, agent };
}

export default function CallDetailPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const bundle = useApi(() => loadCall(id), id, { pollMs: 4_000 });
  const back = (
    <Link to="/calls" className="back-link">
      ← Calls
    </Link>
  );

  if (bundle.state === 'loading') return <Loading label="Loading call…" />;
  if (bundle.state === 'error')
    return (
      <>
        <PageHeader title="Call" back={back} />
        <ErrorState error={bundle.error} onRetry={bundle.retry} />
      </>
    );
  const { call, transcript, notes, escalations, agent } = bundle.data;
  const live = isLive(call);
  const summary = call.summary;
  const latencies = call.telemetry?.responseLatenciesMs ?? [];

  return (
    <>
      <PageHeader
        back={back}
        title={
          <span className="title-with-badge">
            {agent?.name ?? 'Call'} <Badge tone={statusTone(call.status)}>{STATUS_LABEL[call.status]}</Badge>
          </span>
        }
        description={`${humanize(call.direction)} ${call.provider === 'web' ? 'browser' : call.provider} call · ${formatDateTime(call.createdAt)}`}
      />
      <div className="detail-grid">
        <div className="detail-main">
          <RecordingCard call={call} canDelete={canWrite(user.role)} onChanged={bundle.reload} />
          <Card title="Summary">
            {summary ? (
              <div className="summary">
                <p>{summary.summary}</p>
                <div className="summary-tags">
                  <Badge
                    tone={
                      summary.sentiment === 'negative'
                        ? 'bad'
                        : summary.sentiment === 'positive'
                          ? 'good'
                          : 'neutral'
                    }
                  >
                    Sentiment: {summary.sentiment}
                  </Badge>
                  <Badge tone={summary.qaScore >= 80 ? 'good' : summary.qaScore >= 50 ? 'warn' : 'bad'}>
                    QA {summary.qaScore}/100
                  </Badge>
                </div>
                {summary.actionItems.length > 0 && (
                  <>
                    <h3>Action items</h3>
                    <ul className="bullets">
                      {summary.actionItems.map((item) => (
                        <li key={item}>{item}</li>
                      ))}
                    </ul>
                  </>
                )}
                {summary.qaReasons.length > 0 && (
                  <>
                    <h3>QA reasons</h3>
                    <ul className="bullets">
                      {summary.qaReasons.map((reason) => (
                        <li key={reason}>{reason}</li>
                      ))}
                    </ul>
                  </>
                )}
                {summary.data && Object.keys(summary.data).length > 0 && (
                  <>
                    <h3>Structured data</h3>
                    <dl className="kv">
                      {Object.entries(summary.data).map(([key, value]) => (
                        <div key={key}>
                          <dt>{key}</dt>
                          <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
                        </div>
                      ))}
                    </dl>
                  </>
                )}
              </div>
            ) : (
              <p className="muted">
                {live ? 'The summary is written when the call ends.' : 'No summary for this call (yet).'}
              </p>
            )}
          </Card>
          <Card title="Transcript" actions={live ? <Badge tone="live">Updating live</Badge> : undefined}>
            <Transcript turns={transcript} callStart={call.answeredAt ?? call.createdAt} live={live} />
          </Card>
        </div>
        <aside className="detail-side">
          <Card title="Details">
            <dl className="kv">
              <div>
                <dt>Call id</dt>
                <dd>
                  <code>{call.id}</code>
                </dd>
              </div>
              <div>
                <dt>Agent</dt>
                <dd>
                  {agent ? <Link to={`/agents/${agent.id}`}>{agent.name}</Link> : <code>{call.agentId}</code>}
                </dd>
              </div>
              <div>
                <dt>From</dt>
                <dd>{call.provider === 'web' ? 'Browser' : formatPhone(call.from)}</dd>
              </div>
              <div>
                <dt>To</dt>
                <dd>{call.provider === 'web' ? (agent?.name ?? 'Agent') : formatPhone(call.to)}</dd>
              </div>
              <div>
                <dt>Answered</dt>
                <dd>{formatDateTime(call.answeredAt)}</dd>
              </div>
              <div>
                <dt>Ended</dt>
                <dd>{formatDateTime(call.endedAt)}</dd>
              </div>
              <div>
                <dt>Duration</dt>
                <dd>{formatDuration(call.durationSeconds)}</dd>
              </div>
              <div>
                <dt>End reason</dt>
                <dd>{humanize(call.endReason)}</dd>
              </div>
              {Object.entries(call.metadata).map(([key, value]) => (
                <div key={key}>
                  <dt>{key}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          </Card>
          <Card title="Telemetry">
            <dl className="kv">
              <div>
                <dt>First agent audio</dt>
                <dd>{formatLatency(call.telemetry?.firstAgentAudioMs)}</dd>
              </div>
              <div>
                <dt>Response latency (median)</dt>
                <dd>
                  {latencies.length
                    ? formatLatency([...latencies].sort((a, b) => a - b)[Math.floor(latencies.length / 2)])
                    : NONE}
                </dd>
              </div>
              <div>
                <dt>Barge-ins</dt>
                <dd>{call.telemetry?.bargeInStopMs?.length ?? NONE}</dd>
              </div>
              <div>
                <dt>Model reconnects</dt>
                <dd>{call.telemetry?.modelReconnects ?? NONE}</dd>
              </div>
              <div>
                <dt>Model responses</dt>
                <dd>{call.usage?.responses ?? NONE}</dd>
              </div>
            </dl>
          </Card>
          <TransfersCard call={call} />
          <CallAnnotations
            callId={call.id}
            notes={notes}
            escalations={escalations}
            canEdit={canWrite(user.role)}
            onChange={bundle.reload}
          />
        </aside>
      </div>
    </>
  );
}
