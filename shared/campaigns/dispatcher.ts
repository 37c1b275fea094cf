import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { isTerminal } from '../calls/call-status.ts';
import { getActiveCallCount, getCall } from '../data/calls.ts';
import type { Db } from '../data/client.ts';
import { getTenant } from '../data/tenants.ts';
import type { Logger } from '../logging/logger.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import { isWithinWindow, nextWindowOpening } from './calling-window.ts';
import { type DialCommand, queueDialCommands } from './campaign-messages.ts';
import {
  getContactCounts,
  listRunningCampaigns,
  releaseDispatchLease,
  setCampaignStatus,
  takeDispatchLease,
} from './campaign-store.ts';
import type { Campaign, Contact, ContactState } from './campaign-types.ts';
import { listContactsDue, moveContact } from './contact-store.ts';
import { IN_CALL_CHECK_MS, recordCallEnded } from './record-outcome.ts';

export interface DispatchDeps {
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  logger: Logger;
  now?: () => Date;
}

export interface DispatchReport {
  campaigns: number;
  claimed: number;
  /** Due contacts whose window was closed: moved to their next opening. */
  deferred: number;
  /** Active contacts checked because no event came in time. */
  reconciled: number;
  completed: number;
}

/** A claimed contact whose command no dialer took within this is given back. */
export const CLAIM_CHECK_MS = 2 * 60_000;
/** Longest a run holds a campaign (EventBridge fires every minute). */
const LEASE_MS = 50_000;
/** Claims per campaign and run, and contacts read per Query. */
const MAX_CLAIMS_PER_RUN = 1000;
const PAGE = 100;

/**
 * One dispatcher run: for each running campaign (read through a sparse index), under a lease so
 * overlapping runs never double-fill its slots: end it if its schedule is over; check on active
 * contacts nothing was heard about; then claim due contacts (one Query per waiting state, due
 * time order) up to the free slots of the campaign and of the tenant, moving any whose window is
 * closed to its next opening, and enqueue one dial command per claim.
 */
export async function dispatchCampaigns(deps: DispatchDeps): Promise<DispatchReport> {
  const report: DispatchReport = { campaigns: 0, claimed: 0, deferred: 0, reconciled: 0, completed: 0 };
  const campaigns = await listRunningCampaigns(deps.db);
  for (const campaign of campaigns) {
    report.campaigns++;
    try {
      await dispatchCampaign(deps, campaign, report);
    } catch (err) {
      deps.logger.error('campaign dispatch failed', { campaignId: campaign.id, err });
    }
  }
  return report;
}

async function dispatchCampaign(
  deps: DispatchDeps,
  campaign: Campaign,
  report: DispatchReport,
): Promise<void> {
  const { db } = deps;
  const now = deps.now?.() ?? new Date();
  if (!(await takeDispatchLease(db, campaign, now, new Date(now.getTime() + LEASE_MS)))) return;
  try {
    if (campaign.schedule.endAt && now.getTime() >= Date.parse(campaign.schedule.endAt)) {
      await setCampaignStatus(db, campaign, 'completed', now, { endReason: 'schedule_ended' });
      report.completed++;
      return;
    }
    report.reconciled += await reconcileActive(db, campaign, now);
    const counts = await getContactCounts(db, campaign.id);
    const waiting = counts.pending + counts.scheduled;
    const active = counts.dialing + counts.in_call;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (waiting === 0 && active === 0 && total > 0) {
      await setCampaignStatus(db, campaign, 'completed', now, { endReason: 'all_contacts_final' });
      report.completed++;
      return;
    }
    if (campaign.schedule.startAt && now.getTime() < Date.parse(campaign.schedule.startAt)) return;
    let budget = Math.min(
      campaign.maxConcurrentCalls - active,
      await tenantFreeSlots(db, campaign.tenantId),
      MAX_CLAIMS_PER_RUN,
    );
    const commands: DialCommand[] = [];
    // Retries first: they were promised a time; first attempts wait behind them.
    for (const state of ['scheduled', 'pending'] as const) {
      while (budget > 0) {
        const due = await listContactsDue(db, campaign.id, state, now, PAGE);
        const open: Contact[] = [];
        for (const contact of due) {
          if (open.length >= budget) break;
          if (isWithinWindow(now.getTime(), contact.timezone, campaign.callingWindow)) open.push(contact);
          else if (await deferToWindow(db, campaign, contact, state, now)) report.deferred++;
        }
        // Claims are conditional writes on distinct contacts: they go out together.
        const claims = await Promise.all(
          open.map((contact) => claimContact(db, campaign, contact, state, now)),
        );
        for (const command of claims) {
          if (!command) continue;
          budget--;
          commands.push(command);
        }
        if (due.length < PAGE) break;
      }
    }
    // Claimed contacts whose command is not queued are given back by the next runs' checks.
    await queueDialCommands(deps.sqs, deps.queueUrls, commands);
    report.claimed += commands.length;
  } finally {
    await releaseDispatchLease(db, campaign);
  }
}

/** Moves a due contact to `dialing` under a fresh token; its dial command, or undefined if taken. */
async function claimContact(
  db: Db,
  campaign: Campaign,
  contact: Contact,
  state: 'scheduled' | 'pending',
  now: Date,
): Promise<DialCommand | undefined> {
  const dialToken = randomUUID();
  const claimed = await moveContact(
    db,
    contact,
    {
      from: state,
      to: 'dialing',
      set: { dialToken, checkAt: new Date(now.getTime() + CLAIM_CHECK_MS).toISOString() },
      require: sameDueTime(contact),
    },
    now,
  );
  if (!claimed) return undefined;
  return {
    schemaVersion: 1,
    type: 'campaign.dial',
    tenantId: campaign.tenantId,
    campaignId: campaign.id,
    number: contact.number,
    dialToken,
  };
}

const sameDueTime = (contact: Contact) =>
  contact.nextAttemptAt
    ? {
        expression: '#next = :next',
        names: { '#next': 'nextAttemptAt' },
        values: { ':next': contact.nextAttemptAt },
      }
    : { expression: 'attribute_not_exists(#next)', names: { '#next': 'nextAttemptAt' } };

async function deferToWindow(
  db: Db,
  campaign: Campaign,
  contact: Contact,
  state: ContactState,
  now: Date,
): Promise<boolean> {
  const opening = nextWindowOpening(now.getTime(), contact.timezone, campaign.callingWindow);
  const moved = await moveContact(
    db,
    contact,
    {
      from: state,
      to: state,
      set: { nextAttemptAt: new Date(opening ?? now.getTime() + 86_400_000).toISOString() },
      require: sameDueTime(contact),
    },
    now,
  );
  return Boolean(moved);
}

async function tenantFreeSlots(db: Db, tenantId: string): Promise<number> {
  const [tenant, active] = await Promise.all([getTenant(db, tenantId), getActiveCallCount(db, tenantId)]);
  return tenant ? Math.max(0, tenant.limits.maxConcurrentCalls - active) : 0;
}

/**
 * Active contacts past their check time: nothing was heard of them. A claim no dialer took (lost
 * command) is given back; a reserved call that never came to exist (a crash before admission) is
 * given back; a call that ended without its event reaching us is settled as its event would
 * have; a call still live is looked at again later. Every move is conditional on what was read.
 */
async function reconcileActive(db: Db, campaign: Campaign, now: Date): Promise<number> {
  let checked = 0;
  for (const state of ['dialing', 'in_call'] as const) {
    for (const contact of await listContactsDue(db, campaign.id, state, now, PAGE)) {
      checked++;
      const back = contact.attempts > (contact.callId ? 1 : 0) ? 'scheduled' : 'pending';
      if (!contact.callId) {
        await moveContact(
          db,
          contact,
          {
            from: state,
            to: back,
            set: { nextAttemptAt: now.toISOString() },
            remove: ['dialToken', 'checkAt'],
            require: {
              expression: '#dialToken = :token AND attribute_not_exists(#callId)',
              names: { '#dialToken': 'dialToken', '#callId': 'callId' },
              values: { ':token': contact.dialToken ?? '' },
            },
          },
          now,
        );
        continue;
      }
      const call = await getCall(db, campaign.tenantId, contact.callId);
      const sameCall = {
        expression: '#callId = :callId',
        names: { '#callId': 'callId' },
        values: { ':callId': contact.callId },
      };
      if (!call) {
        await moveContact(
          db,
          contact,
          {
            from: state,
            to: back,
            set: {
              nextAttemptAt: now.toISOString(),
              callIds: (contact.callIds ?? []).filter((id) => id !== contact.callId),
            },
            remove: ['callId', 'dialToken', 'checkAt'],
            addAttempts: -1,
            require: sameCall,
          },
          now,
        );
      } else if (isTerminal(call.status)) {
        await recordCallEnded(db, call, now);
      } else {
        await moveContact(
          db,
          contact,
          {
            from: state,
            to: state,
            set: { checkAt: new Date(now.getTime() + IN_CALL_CHECK_MS).toISOString() },
            require: sameCall,
          },
          now,
        );
      }
    }
  }
  return checked;
}
