import type { CallStatus } from '#shared/calls/call-status.ts';
import type { EndReason } from '#shared/calls/call-types.ts';

/**
 * The outcome a media session's end counts under in the `CallsEnded` metric. A call the model or
 * the media path broke off counts as `failed` (it drives the failure-rate alarm) even though its
 * record is `completed`: the caller was connected, but the conversation did not end as intended.
 */
export function callOutcome(reason: EndReason): CallStatus {
  switch (reason) {
    case 'model_error':
    case 'media_error':
    case 'failed':
    case 'rejected':
      return 'failed';
    case 'busy':
      return 'busy';
    case 'no_answer':
      return 'no_answer';
    case 'canceled':
      return 'canceled';
    default:
      return 'completed';
  }
}
