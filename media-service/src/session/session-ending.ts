import type { Agent } from '#shared/agents/agent-schema.ts';
import type { EndReason } from '#shared/calls/call-types.ts';

/** How a call ends: what the agent says first (if anything), then hang up or transfer. */
export interface EndPlan {
  reason: EndReason;
  sayInstructions?: string;
  transferTo?: string;
}

/** The closing line per reason; a caller who already hung up hears nothing. */
export function endPlanFor(reason: EndReason, agent: Pick<Agent, 'transferNumber'>): EndPlan {
  switch (reason) {
    case 'agent_hangup':
      return { reason, sayInstructions: 'Say a brief, friendly goodbye to the caller.' };
    case 'max_duration':
      return {
        reason,
        sayInstructions:
          'The call has reached its time limit. Politely tell the caller you have to end the call now, and say goodbye.',
      };
    case 'idle_timeout':
      return {
        reason,
        sayInstructions:
          'The caller has been silent for a while. Politely say you will end the call now since there is no response, and say goodbye.',
      };
    case 'shutdown':
    case 'api_request':
      return {
        reason,
        sayInstructions: 'Politely tell the caller you need to end the call now, and say goodbye.',
      };
    case 'transferred':
      return agent.transferNumber
        ? {
            reason,
            transferTo: agent.transferNumber,
            sayInstructions:
              'Tell the caller in one short sentence that you are transferring them to a colleague now.',
          }
        : { reason: 'agent_hangup', sayInstructions: 'Say a brief, friendly goodbye to the caller.' };
    default:
      return { reason };
  }
}
