import { E164Schema } from '#shared/agents/agent-schema.ts';
import type { Agent } from '#shared/agents/agent-schema.ts';
import { refusal } from '../transfer/warm-transfer.ts';
import { CONTROL_OK, type SessionTool, type ToolEntry, type ToolSetup } from './session-tool.ts';

const DEFINITION: SessionTool['definition'] = {
  type: 'function',
  name: 'transfer_call',
  description:
    'Transfer the caller to a human colleague. Use it when the caller asks for a person or you cannot help further. ' +
    'mode "warm" (preferred when you know what the call is about): the caller holds while you brief your colleague, who may decline; ' +
    'you are told if nobody takes the call, so you can take a message. mode "cold": the caller is put straight through.',
  parameters: {
    type: 'object',
    properties: {
      reason: { type: 'string', description: 'Why the caller is being transferred.' },
      mode: { type: 'string', enum: ['cold', 'warm'], description: 'cold (default) or warm.' },
      briefing: {
        type: 'string',
        description:
          'Warm only: what to tell your colleague before they take the call (who is calling, what they need). A summary of the call is said when omitted.',
      },
      to: {
        type: 'string',
        description:
          'Warm only: one of the allowed numbers (E.164); the default transfer number when omitted.',
      },
    },
  },
};

interface TransferArguments {
  mode: 'cold' | 'warm';
  briefing?: string;
  to?: string;
}

/** The model's arguments, leniently: anything unreadable is a cold transfer, as before `mode` existed. */
function parseArguments(text: string): TransferArguments {
  let raw: unknown;
  try {
    raw = JSON.parse(text || '{}');
  } catch {
    return { mode: 'cold' };
  }
  const value = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    mode: value.mode === 'warm' ? 'warm' : 'cold',
    briefing:
      typeof value.briefing === 'string' && value.briefing.trim() ? value.briefing.slice(0, 1000) : undefined,
    to: typeof value.to === 'string' && value.to.trim() ? value.to.trim() : undefined,
  };
}

/** Every number this agent's transfers may dial: its transfer number first. */
export function allowedTransferNumbers(agent: Pick<Agent, 'transferNumber' | 'transferNumbers'>): string[] {
  return [
    ...new Set([agent.transferNumber, ...(agent.transferNumbers ?? [])].filter((n): n is string => !!n)),
  ];
}

function transferTool(setup: ToolSetup): SessionTool {
  const allowed = allowedTransferNumbers(setup.agent);
  const { warmTransfer } = setup;
  return {
    definition: DEFINITION,
    // Cold transfers end the call (the closing line, then the provider moves the caller).
    control: (text) =>
      setup.canTransfer && setup.agent.transferNumber && parseArguments(text).mode === 'cold'
        ? { endReason: 'transferred' }
        : undefined,
    quiet: true,
    run: async ({ arguments: text }) => {
      const args = parseArguments(text);
      if (!setup.canTransfer) {
        return refusal(
          'transfer_unavailable',
          'This call cannot be transferred to a phone (it is a browser call). Offer to take a message instead.',
        );
      }
      if (args.mode === 'cold') {
        if (setup.agent.transferNumber) return CONTROL_OK;
        return refusal('transfer_unavailable', 'Cold transfers need a transfer number; use mode "warm".');
      }
      const to = args.to ?? allowed[0];
      if (!to || !E164Schema.safeParse(to).success) {
        return refusal('invalid_target', `"${args.to ?? ''}" is not a phone number in E.164 form.`);
      }
      if (!allowed.includes(to)) {
        return refusal('target_not_allowed', `This agent may transfer only to: ${allowed.join(', ')}.`);
      }
      if (!warmTransfer) {
        return refusal('transfer_unavailable', 'Warm transfers are not available on this call.');
      }
      return warmTransfer.run(to, args.briefing);
    },
  };
}

/**
 * `transfer_call`: offered when the agent has a number to transfer to. Cold (the default, as it
 * always was) ends the call and the provider puts the caller through to `transferNumber`; warm
 * runs the session's `WarmTransfer` to `transferNumber` or one of `transferNumbers`. On browser
 * calls the tool is offered but answers that the call cannot be transferred, so the model can
 * tell the caller instead of promising a transfer. A phone call whose transport cannot move the
 * caller (Twilio without REST credentials) is not offered it, as before.
 */
export const transferCallTool: ToolEntry = {
  reservedNames: ['transfer_call'],
  tools: (setup) =>
    allowedTransferNumbers(setup.agent).length > 0 && (setup.canTransfer || setup.call.provider === 'web')
      ? [transferTool(setup)]
      : [],
};
