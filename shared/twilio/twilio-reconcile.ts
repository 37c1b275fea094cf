import { isTerminal } from '../calls/call-status.ts';
import type { ReconcileUnstreamed } from '../calls/stream-timeouts.ts';
import { fetchTwilioCall, updateTwilioCall } from './rest-client.ts';
import { callStatusFromTwilio } from './status-mapping.ts';

/**
 * Asks Twilio what became of a call whose stream never connected. A call Twilio says ended
 * unconnected keeps Twilio's status; one still up (the caller hears silence) is hung up; either
 * way nothing reached the agent (undefined: stored as `stream_timeout`).
 */
export const reconcileUnstreamedTwilioCall: ReconcileUnstreamed = async (deps, call) => {
  const rest = call.providerCallId ? await deps.twilio?.() : undefined;
  if (!rest || !call.providerCallId) return undefined;
  try {
    const remote = await fetchTwilioCall(rest, call.providerCallId);
    const status = callStatusFromTwilio(remote.status);
    if (status === 'busy' || status === 'no_answer' || status === 'canceled')
      return { status, reason: status };
    if (status && isTerminal(status)) return undefined; // completed or failed there: no stream here
    await updateTwilioCall(rest, call.providerCallId, { status: 'completed' });
  } catch (error) {
    deps.logger.warn('twilio call status could not be reconciled', { callId: call.id, err: error });
  }
  return undefined;
};
