import type { Campaign, CampaignStatus, ContactState, ImportJob } from '../api/contracts.ts';
import type { Tone } from './call-state.ts';

/** Contact states in the order a contact moves through them (the API's own order). */
export const CONTACT_STATES: readonly ContactState[] = [
  'pending',
  'scheduled',
  'dialing',
  'in_call',
  'completed',
  'no_answer',
  'busy',
  'voicemail',
  'failed',
  'skipped_dnc',
  'exhausted',
];

export const CONTACT_STATE_LABEL: Record<ContactState, string> = {
  pending: 'Pending',
  scheduled: 'Retry scheduled',
  dialing: 'Dialing',
  in_call: 'In call',
  completed: 'Completed',
  no_answer: 'No answer',
  busy: 'Busy',
  voicemail: 'Voicemail',
  failed: 'Failed',
  skipped_dnc: 'Do not call',
  exhausted: 'Retries used up',
};

const WAITING: readonly ContactState[] = ['pending', 'scheduled'];
const ACTIVE: readonly ContactState[] = ['dialing', 'in_call'];

export function contactStateTone(state: ContactState): Tone {
  if (ACTIVE.includes(state)) return 'live';
  if (state === 'completed') return 'good';
  if (WAITING.includes(state)) return 'neutral';
  if (state === 'failed' || state === 'exhausted') return 'bad';
  return 'warn';
}

export function campaignStatusTone(status: CampaignStatus): Tone {
  switch (status) {
    case 'running':
      return 'live';
    case 'completed':
      return 'good';
    case 'paused':
      return 'warn';
    case 'canceled':
      return 'bad';
    default:
      return 'neutral';
  }
}

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

/** What the API lets a campaign in `status` do next (anything else answers 409). */
export function campaignActions(status: CampaignStatus): CampaignAction[] {
  switch (status) {
    case 'draft':
      return ['start', 'cancel'];
    case 'running':
      return ['pause', 'cancel'];
    case 'paused':
      return ['resume', 'cancel'];
    default:
      return [];
  }
}

/** Only a draft or paused campaign's settings may change (PATCH answers 409 otherwise). */
export const isEditable = (status: CampaignStatus) => status === 'draft' || status === 'paused';

/** A running campaign (the pulsing badge). */
export const isCampaignLive = (campaign: Pick<Campaign, 'status'>) => campaign.status === 'running';

/**
 * Whether the counts still move by themselves: while running, and after a pause or cancel as long
 * as calls placed before it are in progress (they finish normally). The pages poll only then.
 */
export const countsMoving = (campaign: Pick<Campaign, 'status' | 'counts'>) =>
  isCampaignLive(campaign) || campaignProgress(campaign.counts).active > 0;

export interface CampaignProgress {
  total: number;
  /** Contacts in a final state (nothing more will happen to them). */
  done: number;
  active: number;
  waiting: number;
  /** 0–100, or null without contacts. */
  percent: number | null;
}

export function campaignProgress(counts: Campaign['counts']): CampaignProgress {
  let total = 0;
  let active = 0;
  let waiting = 0;
  for (const state of CONTACT_STATES) {
    const n = counts[state] ?? 0;
    total += n;
    if (ACTIVE.includes(state)) active += n;
    if (WAITING.includes(state)) waiting += n;
  }
  const done = total - active - waiting;
  return { total, done, active, waiting, percent: total === 0 ? null : (done / total) * 100 };
}

export const isImportFinished = (job: Pick<ImportJob, 'status'>) =>
  job.status === 'completed' || job.status === 'failed';
