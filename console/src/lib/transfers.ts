import type { Call } from '../api/types.ts';
import type { Tone } from './call-state.ts';
import { formatDuration } from './format.ts';

export type CallTransfer = NonNullable<Call['transfers']>[number];

/** What each outcome of a warm transfer meant for the caller, in the words a supervisor uses. */
export const TRANSFER_OUTCOME: Record<CallTransfer['outcome'], { label: string; tone: Tone }> = {
  answered: { label: 'Handed over', tone: 'good' },
  declined: { label: 'Declined by the person', tone: 'warn' },
  no_answer: { label: 'No answer', tone: 'warn' },
  busy: { label: 'Line busy', tone: 'warn' },
  failed: { label: 'Could not be dialled', tone: 'bad' },
  canceled: { label: 'Caller hung up while holding', tone: 'neutral' },
};

const secondsBetween = (from: string, to: string | undefined) =>
  to === undefined ? undefined : Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/**
 * How one attempt went, in time: how long the person took to pick up and how long the caller
 * waited in all (until handed over, or back with the agent).
 */
export function transferTimeline(transfer: CallTransfer): string {
  const pickedUp = secondsBetween(transfer.startedAt, transfer.answeredAt);
  const total = secondsBetween(transfer.startedAt, transfer.endedAt);
  const held = transfer.outcome === 'answered' ? 'connected after' : 'back with the agent after';
  const parts = [
    pickedUp === undefined ? undefined : `picked up after ${formatDuration(pickedUp)}`,
    total === undefined ? undefined : `${held} ${formatDuration(total)}`,
  ];
  return parts.filter(Boolean).join(' · ');
}
