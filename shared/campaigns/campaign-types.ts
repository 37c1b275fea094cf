import type { CallingWindow } from './calling-window.ts';

export const CAMPAIGN_STATUSES = ['draft', 'running', 'paused', 'completed', 'canceled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * Where a contact is. Waiting: `pending` (never dialed), `scheduled` (a retry is due later).
 * Active: `dialing` (a call is being placed or rings), `in_call` (answered). Final: `completed`,
 * `no_answer`, `busy`, `voicemail`, `failed` (the last outcome, with no retry configured for it),
 * `exhausted` (retried as configured and still not reached), `skipped_dnc` (on the do-not-call list).
 */
export const CONTACT_STATES = [
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
] as const;
export type ContactState = (typeof CONTACT_STATES)[number];

export const WAITING_STATES: readonly ContactState[] = ['pending', 'scheduled'];
export const ACTIVE_STATES: readonly ContactState[] = ['dialing', 'in_call'];

/** What one dial attempt came to. */
export type AttemptOutcome = 'completed' | 'no_answer' | 'busy' | 'voicemail' | 'failed';

export interface RetryRule {
  /** Dial attempts in total for a contact whose last attempt had this outcome (1: no retry). */
  maxAttempts: number;
  /** Wait after the attempt before the next one (then the next window opening). */
  delayMinutes: number;
}

export interface RetryRules {
  onNoAnswer: RetryRule;
  onBusy: RetryRule;
  onVoicemail: RetryRule;
  onFailed: RetryRule;
}

export type ContactCounts = Record<ContactState, number>;

export interface Campaign {
  id: string;
  tenantId: string;
  name: string;
  agentId: string;
  /** Caller ids: one number, or a pool a contact's number is mapped to (stable per contact). */
  from?: string[];
  schedule: { startAt: string; endAt?: string };
  callingWindow: CallingWindow;
  /** Fallback zone for numbers of countries with several clocks (see contact-timezone.ts). */
  timezone?: string;
  maxConcurrentCalls: number;
  retry: RetryRules;
  /** Campaign-wide values of variables; contacts' own values win. */
  variables: Record<string, string>;
  /** Placeholders of the agent's instructions and greeting when the campaign was created. */
  placeholders: string[];
  status: CampaignStatus;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  endedAt?: string;
  /** Why it ended on its own (`all_contacts_final`, `schedule_ended`). */
  endReason?: string;
}

export interface Contact {
  campaignId: string;
  tenantId: string;
  number: string;
  timezone: string;
  variables: Record<string, string>;
  state: ContactState;
  attempts: number;
  /** When a waiting contact is due (inside its window). */
  nextAttemptAt?: string;
  /** The call of the attempt in flight. */
  callId?: string;
  /** Set while a dial command is in flight; a command carrying another token is stale. */
  dialToken?: string;
  /** An active contact is looked at by the dispatcher after this (lost events, crashed dials). */
  checkAt?: string;
  lastOutcome?: AttemptOutcome;
  lastCallId?: string;
  /** Every call placed for the contact, oldest first (the call id is added when it is reserved). */
  callIds?: string[];
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}
