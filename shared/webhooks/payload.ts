import type { Call } from '../calls/call-types.ts';
import type { CallEvent, ExportCompletedEvent } from '../queues/contracts.ts';

/**
 * The JSON a customer receives, in the Standard Webhooks envelope `{type, timestamp, data}`. The
 * data carries the event and a snapshot of the call (never usage internals or media details);
 * `call.summarized` includes the summary.
 */
export function webhookPayload(event: CallEvent, call: Call | undefined): Record<string, unknown> {
  const { schemaVersion: _v, eventId: _id, occurredAt: _at, type: _type, ...fields } = event;
  return {
    type: event.type,
    timestamp: event.occurredAt,
    data: {
      ...fields,
      ...(call
        ? {
            call: {
              id: call.id,
              agentId: call.agentId,
              direction: call.direction,
              provider: call.provider,
              from: call.from,
              to: call.to,
              status: call.status,
              createdAt: call.createdAt,
              answeredAt: call.answeredAt,
              endedAt: call.endedAt,
              durationSeconds: call.durationSeconds,
              endReason: call.endReason,
              metadata: call.metadata,
              ...(event.type === 'call.summarized' && call.summary ? { summary: call.summary } : {}),
            },
          }
        : {}),
    },
  };
}

/** `export.completed`: the export's id and size; the download URL is fetched with the API key. */
export function exportWebhookPayload(event: ExportCompletedEvent): Record<string, unknown> {
  const { schemaVersion: _v, eventId: _id, occurredAt: _at, type: _type, ...fields } = event;
  return { type: event.type, timestamp: event.occurredAt, data: fields };
}
