import { CallSession } from './call-session.ts';
import type { StartCallSessionInput } from './session-deps.ts';

/**
 * Starts the one session of an admitted call whose caller leg is connected. The session binds
 * `slot`, attaches the transport, connects the model and greets; it resolves once the greeting
 * was requested (or the call was closed because it could not start). Never rejects: failures
 * end the call with a reason stored on it.
 */
export async function startCallSession(input: StartCallSessionInput): Promise<CallSession> {
  const session = new CallSession(input);
  try {
    await session.start();
  } catch (error) {
    input.deps.logger.error('call session failed to start', { callId: input.call.id, err: error });
    await session.close('media_error');
  }
  return session;
}
