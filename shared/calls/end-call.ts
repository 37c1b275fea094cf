import { isTerminal } from './call-status.ts';
import { endUnconnectedCall } from './end-unconnected-call.ts';
import type { Call } from './call-types.ts';
import type { Logger } from '../logging/logger.ts';
import { type CallDeps, requireCall } from './call-deps.ts';
import { callAlreadyEnded } from './provider-control.ts';
import { PROVIDER_CONTROLS } from './provider-controls.ts';

/**
 * Asks for a call to end. A queued call no provider has taken yet is canceled here and now;
 * otherwise its provider's `ProviderControl` hangs up (Twilio REST, or the media service for
 * Asterisk and browser calls) and the final status arrives through the provider's own status path.
 */
export async function endCall(
  deps: CallDeps,
  tenantId: string,
  callId: string,
  logger: Logger,
): Promise<Call> {
  const call = await requireCall(deps.db, tenantId, callId);
  if (isTerminal(call.status)) throw callAlreadyEnded(call.status);

  if (call.status === 'queued' && !call.providerCallId) {
    const { call: canceled } = await endUnconnectedCall({ ...deps, logger }, call, 'canceled', 'api_request');
    return canceled;
  }

  await PROVIDER_CONTROLS[call.provider].end({ ...deps, logger }, call);
  return call;
}
