import type { Call, CallStatus } from '../api/types.ts';

/** Calls that can still change: the list keeps refreshing while one of them is shown. */
const LIVE: ReadonlySet<CallStatus> = new Set<CallStatus>(['queued', 'ringing', 'in_progress']);

export function isLive(call: Pick<Call, 'status'>): boolean {
  return LIVE.has(call.status);
}

export type Tone = 'live' | 'good' | 'bad' | 'warn' | 'neutral';

export function statusTone(status: CallStatus): Tone {
  switch (status) {
    case 'in_progress':
    case 'ringing':
    case 'queued':
      return 'live';
    case 'completed':
      return 'good';
    case 'failed':
      return 'bad';
    case 'busy':
    case 'no_answer':
      return 'warn';
    default:
      return 'neutral';
  }
}

export const STATUS_LABEL: Record<CallStatus, string> = {
  queued: 'Queued',
  ringing: 'Ringing',
  in_progress: 'Live',
  completed: 'Completed',
  failed: 'Failed',
  busy: 'Busy',
  no_answer: 'No answer',
  canceled: 'Canceled',
};

/** List refresh cadence: fast while something is live, slow otherwise (new calls still appear). */
export function pollInterval(calls: readonly Pick<Call, 'status'>[]): number {
  return calls.some(isLive) ? 3_000 : 15_000;
}

export interface CallFilters {
  status?: CallStatus;
  agentId?: string;
  direction?: 'inbound' | 'outbound';
  since?: string;
  until?: string;
}

const STATUSES = new Set(Object.keys(STATUS_LABEL));

/** Filters from the URL's query (unknown values dropped, so a hand-edited URL never breaks the page). */
export function filtersFromSearch(search: URLSearchParams): CallFilters {
  const filters: CallFilters = {};
  const status = search.get('status');
  if (status && STATUSES.has(status)) filters.status = status as CallStatus;
  const agentId = search.get('agentId');
  if (agentId) filters.agentId = agentId;
  const direction = search.get('direction');
  if (direction === 'inbound' || direction === 'outbound') filters.direction = direction;
  const since = search.get('since');
  if (since && /^\d{4}-\d{2}-\d{2}$/.test(since)) filters.since = since;
  const until = search.get('until');
  if (until && /^\d{4}-\d{2}-\d{2}$/.test(until)) filters.until = until;
  return filters;
}

/** The API query of the filters: dates become the start of `since` and the end of `until` (UTC). */
export function filtersToQuery(filters: CallFilters): Record<string, string | undefined> {
  const untilExclusive = filters.until
    ? new Date(Date.parse(`${filters.until}T00:00:00Z`) + 86_400_000).toISOString()
    : undefined;
  return {
    status: filters.status,
    agentId: filters.agentId,
    direction: filters.direction,
    since: filters.since ? `${filters.since}T00:00:00Z` : undefined,
    until: untilExclusive,
  };
}
