import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { Campaign } from '../api/contracts.ts';
import { canWrite, useUser } from '../api/session.tsx';
import type { Page } from '../api/types.ts';
import { EmptyState, ErrorState, Loading } from '../components/states.tsx';
import { Badge, PageHeader, ProgressBar } from '../components/ui.tsx';
import { campaignProgress, campaignStatusTone, countsMoving, isCampaignLive } from '../lib/campaign-state.ts';
import { formatDateTime, formatNumber, formatRelative, humanize } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';

/** `/campaigns`: every campaign, newest first, with its progress; refreshes while the counts of one move. */
export default function CampaignsPage() {
  const user = useUser();
  const list = useApi(() => api.get<Page<Campaign>>('/v1/campaigns?limit=100'), 'campaigns', {
    pollMs: 5_000,
    pollWhile: (page) => page.items.some(countsMoving),
  });
  const newButton = canWrite(user.role) && (
    <Link to="/campaigns/new" className="button button-primary">
      New campaign
    </Link>
  );

  return (
    <>
      <PageHeader
        title="Campaigns"
        description="Outbound calls to a list of contacts, inside their local calling hours, retried by outcome."
        actions={list.state === 'ready' && list.data.items.length > 0 ? newButton : undefined}
      />
      {list.state === 'loading' && <Loading label="Loading campaigns…" />}
      {list.state === 'error' && <ErrorState error={list.error} onRetry={list.retry} />}
      {list.state === 'ready' && list.data.items.length === 0 && (
        <EmptyState title="No campaigns yet" action={newButton || undefined}>
          A campaign has one agent call a list of contacts — reminders, follow-ups, surveys — and never calls
          a number on your do-not-call list.
        </EmptyState>
      )}
      {list.state === 'ready' && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-stack" aria-label="Campaigns">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Completed</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((campaign) => {
                const progress = campaignProgress(campaign.counts);
                return (
                  <tr key={campaign.id}>
                    <td data-label="Name">
                      <Link className="strong" to={`/campaigns/${campaign.id}`}>
                        {campaign.name}
                      </Link>
                    </td>
                    <td data-label="Status">
                      <Badge tone={campaignStatusTone(campaign.status)}>
                        {isCampaignLive(campaign) && <span className="pulse" aria-hidden="true" />}
                        {humanize(campaign.status)}
                      </Badge>
                    </td>
                    <td data-label="Progress" className="progress-cell">
                      {progress.total === 0 ? (
                        <span className="muted small">No contacts yet</span>
                      ) : (
                        <>
                          <ProgressBar percent={progress.percent} label={`${campaign.name} progress`} />
                          <span className="muted small block">
                            {formatNumber(progress.done)} of {formatNumber(progress.total)} done
                            {progress.active > 0 ? ` · ${formatNumber(progress.active)} calling` : ''}
                          </span>
                        </>
                      )}
                    </td>
                    <td data-label="Completed">{formatNumber(campaign.counts.completed)}</td>
                    <td data-label="Created">
                      {formatDateTime(campaign.createdAt)}
                      <span className="muted small block">{formatRelative(campaign.createdAt)}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
