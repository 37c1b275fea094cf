import { isTerminal } from './call-status.ts';
import { endUnconnectedCall } from './end-unconnected-call.ts';
import type { Call } from './call-types.ts';
import { ConflictError, UnavailableError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { sendMediaCommand } from '../queues/publisher.ts';
import { TwilioApiError, updateTwilioCall } from '../twilio/rest-client.ts';
import { type CallDeps, requireCall } from './call-deps.ts';

const alreadyEnded = (status: string) =>
  new ConflictError(`The call has already ended (${status}).`, {
    details: { reason: 'invalid_transition', from: status },
  });

/** Twilio's "Call is not in-progress": it ended before our status callback arrived. */
const TWILIO_CALL_NOT_ACTIVE = 21220;

/**
 * Asks for a call to end. A queued call no provider has taken yet is canceled here and now;
 * otherwise the provider hangs up (Twilio REST, or the media service for Asterisk and browser
 * calls) and the final status arrives through the provider's own status path.
 */
export async function endCall(
  deps: CallDeps,
  tenantId: string,
  callId: string,
  logger: Logger,
): Promise<Call> {
  const call = await requireCall(deps.db, tenantId, callId);
  if (isTerminal(call.status)) throw alreadyEnded(call.status);

  if (call.status === 'queued' && !call.providerCallId) {
    const { call: canceled } = await endUnconnectedCall({ ...deps, logger }, call, 'canceled', 'api_request');
    return canceled;
  }

  if (call.provider === 'twilio') {
    if (!deps.twilio) throw new UnavailableError('Twilio is not configured on this platform.');
    // `canceled` is how Twilio stops a call that is not answered yet; `completed` hangs up a live one.
    const status = call.status === 'in_progress' ? 'completed' : 'canceled';
    try {
      await updateTwilioCall(deps.twilio, call.providerCallId as string, { status });
    } catch (error) {
      if (error instanceof TwilioApiError && error.twilioCode === TWILIO_CALL_NOT_ACTIVE) {
        throw alreadyEnded('ended at the provider');
      }
      throw error;
    }
    return call;
  }

  await sendMediaCommand(deps.sqs, deps.queueUrls, {
    type: 'call.end',
    tenantId,
    callId,
    reason: 'api_request',
  });
  return call;
}
