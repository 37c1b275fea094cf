import type { Agent } from '#shared/agents/agent-schema.ts';
import { fillPlaceholders } from '#shared/campaigns/template-variables.ts';
import type { Call } from '#shared/calls/call-types.ts';
import { CallSession } from './call-session.ts';
import type { StartCallSessionInput } from './session-deps.ts';

/**
 * The agent as this call's model sees it: `{{name}}` placeholders of its instructions and
 * greeting filled with the call's variables (a campaign contact's). Calls without variables get
 * the agent unchanged, so text that happens to contain braces is never touched.
 */
export function personalizedAgent(agent: Agent, call: Pick<Call, 'variables'>): Agent {
  const values = call.variables;
  if (!values || Object.keys(values).length === 0) return agent;
  return {
    ...agent,
    instructions: fillPlaceholders(agent.instructions, values),
    ...(agent.greeting ? { greeting: fillPlaceholders(agent.greeting, values) } : {}),
  };
}

/**
 * Starts the one session of an admitted call whose caller leg is connected. The session binds
 * `slot`, attaches the transport, connects the model and greets; it resolves once the greeting
 * was requested (or the call was closed because it could not start). Never rejects: failures
 * end the call with a reason stored on it.
 */
export async function startCallSession(input: StartCallSessionInput): Promise<CallSession> {
  const session = new CallSession({ ...input, agent: personalizedAgent(input.agent, input.call) });
  try {
    await session.start();
  } catch (error) {
    input.deps.logger.error('call session failed to start', { callId: input.call.id, err: error });
    await session.close('media_error');
  }
  return session;
}
