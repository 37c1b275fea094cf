import type { Call } from '../api/types.ts';
import { formatDateTime, formatPhone } from '../lib/format.ts';
import { TRANSFER_OUTCOME, transferTimeline } from '../lib/transfers.ts';
import { Badge, Card } from './ui.tsx';

/** The call's warm transfer attempts, in order: who was dialled, how it ended, and how long it took. */
export function TransfersCard({ call }: { call: Call }) {
  const transfers = call.transfers ?? [];
  if (transfers.length === 0) return null;
  return (
    <Card title={`Transfers (${transfers.length})`}>
      <ol className="annotation-list" aria-label="Warm transfer attempts">
        {transfers.map((transfer) => {
          const outcome = TRANSFER_OUTCOME[transfer.outcome];
          return (
            <li key={transfer.startedAt}>
              <Badge tone={outcome.tone}>{outcome.label}</Badge> Warm transfer to {formatPhone(transfer.to)}
              <span className="muted small block">
                {formatDateTime(transfer.startedAt)} · {transferTimeline(transfer)}
              </span>
            </li>
          );
        })}
      </ol>
    </Card>
  );
}
