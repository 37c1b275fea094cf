import type { Call } from '../calls/call-types.ts';
import { TWILIO_STREAM_ENDED_PATH } from '../http/webhook-routes.ts';

/**
 * The `<Connect action>` URL of a call's stream. The call and tenant ids travel in the query,
 * which Twilio signs with the rest of the URL, so the webhook finds the call even before an
 * outbound call's CallSid was linked.
 */
export function streamEndedActionUrl(publicApiUrl: string, call: Pick<Call, 'id' | 'tenantId'>): string {
  const query = new URLSearchParams({ callId: call.id, tenantId: call.tenantId });
  return `${publicApiUrl.replace(/\/+$/, '')}${TWILIO_STREAM_ENDED_PATH}?${query}`;
}
