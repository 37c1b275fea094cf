import type { CallEventType } from './contracts.ts';
import type { QueueId } from './definitions.ts';

/**
 * Fan-out: which queues receive each event type. The publisher sends a copy to each, so every
 * consumer owns its queue, its retries and its DLQ.
 */
export const EVENT_SUBSCRIPTIONS: Readonly<Record<CallEventType, readonly QueueId[]>> = {
  'call.started': ['webhooks', 'campaignOutcomes'],
  'call.ended': ['summaries', 'usage', 'webhooks', 'campaignOutcomes'],
  'call.summarized': ['webhooks'],
  'call.escalated': ['webhooks'],
  'call.recording_ready': ['webhooks'],
};
