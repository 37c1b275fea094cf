import type { Campaign } from '../api/contracts.ts';
import { parseNumberList } from './agent-form.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_LABEL: Record<Weekday, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

export const RETRY_OUTCOMES = ['onNoAnswer', 'onBusy', 'onVoicemail', 'onFailed'] as const;
export type RetryOutcome = (typeof RETRY_OUTCOMES)[number];
export const RETRY_LABEL: Record<RetryOutcome, string> = {
  onNoAnswer: 'No answer',
  onBusy: 'Busy',
  onVoicemail: 'Voicemail',
  onFailed: 'Failed',
};

/** The campaign editor's state, as the inputs hold it (strings), converted on save. */
export interface CampaignForm {
  name: string;
  agentId: string;
  /** Caller ids, one per line or comma separated; empty: the agent's own number. */
  from: string;
  /** `datetime-local` values in the browser's zone; empty: no bound. */
  startAt: string;
  endAt: string;
  days: Weekday[];
  start: string;
  end: string;
  timezone: string;
  maxConcurrentCalls: string;
  retry: Record<RetryOutcome, { maxAttempts: string; delayMinutes: string }>;
  variables: { name: string; value: string }[];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as a `datetime-local` value in the browser's zone (`2027-03-01T09:00`). */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (the browser's zone) as an ISO instant; undefined when empty. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new CampaignFormError(`"${value}" is not a date and time.`);
  return d.toISOString();
}

export function campaignToForm(campaign?: Campaign): CampaignForm {
  const rule = (outcome: RetryOutcome) => ({
    maxAttempts: String(campaign?.retry[outcome].maxAttempts ?? 1),
    delayMinutes: String(campaign?.retry[outcome].delayMinutes ?? 60),
  });
  return {
    name: campaign?.name ?? '',
    agentId: campaign?.agentId ?? '',
    from: (campaign?.from ?? []).join('\n'),
    startAt: toLocalInput(campaign?.schedule.startAt),
    endAt: toLocalInput(campaign?.schedule.endAt),
    days: [...(campaign?.callingWindow.days ?? ['mon', 'tue', 'wed', 'thu', 'fri'])],
    start: campaign?.callingWindow.start ?? '09:00',
    end: campaign?.callingWindow.end ?? '18:00',
    timezone: campaign?.timezone ?? '',
    maxConcurrentCalls: String(campaign?.maxConcurrentCalls ?? 10),
    retry: {
      onNoAnswer: rule('onNoAnswer'),
      onBusy: rule('onBusy'),
      onVoicemail: rule('onVoicemail'),
      onFailed: rule('onFailed'),
    },
    variables: Object.entries(campaign?.variables ?? {}).map(([name, value]) => ({ name, value })),
  };
}

export class CampaignFormError extends Error {
  override name = 'CampaignFormError';
}

const int = (value: string, label: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CampaignFormError(`${label} must be a whole number.`);
  return n;
};

/**
 * The API body of the form: `create` leaves empty optional fields out; `edit` (PATCH) sends
 * `null` to clear the caller ids and the fallback zone, and replaces schedule and variables.
 * The API checks ranges and names the field; this only converts, and refuses what cannot be.
 */
export function campaignFormToBody(form: CampaignForm, mode: 'create' | 'edit'): Record<string, unknown> {
  const from = parseNumberList(form.from);
  const variables: Record<string, string> = {};
  for (const { name, value } of form.variables) {
    const key = name.trim();
    if (!key && !value.trim()) continue;
    if (!key) throw new CampaignFormError('A variable has a value but no name.');
    if (key in variables) throw new CampaignFormError(`The variable ${key} is there twice.`);
    variables[key] = value;
  }
  const startAt = fromLocalInput(form.startAt);
  const endAt = fromLocalInput(form.endAt);
  const body: Record<string, unknown> = {
    name: form.name.trim(),
    schedule: { ...(startAt ? { startAt } : {}), ...(endAt ? { endAt } : {}) },
    callingWindow: { days: WEEKDAYS.filter((d) => form.days.includes(d)), start: form.start, end: form.end },
    maxConcurrentCalls: int(form.maxConcurrentCalls, 'Calls at once'),
    retry: Object.fromEntries(
      RETRY_OUTCOMES.map((outcome) => [
        outcome,
        {
          maxAttempts: int(form.retry[outcome].maxAttempts, `${RETRY_LABEL[outcome]}: attempts`),
          delayMinutes: int(form.retry[outcome].delayMinutes, `${RETRY_LABEL[outcome]}: minutes between`),
        },
      ]),
    ),
  };
  if (mode === 'create') {
    body.agentId = form.agentId;
    if (from.length > 0) body.from = from.length === 1 ? from[0] : from;
    if (form.timezone.trim()) body.timezone = form.timezone.trim();
    if (Object.keys(variables).length > 0) body.variables = variables;
  } else {
    body.from = from.length === 0 ? null : from.length === 1 ? from[0] : from;
    body.timezone = form.timezone.trim() || null;
    body.variables = Object.keys(variables).length > 0 ? variables : null;
  }
  return body;
}
