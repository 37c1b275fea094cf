import { CONTROL_OK, type SessionTool, type ToolEntry } from './session-tool.ts';

const END_CALL: SessionTool = {
  definition: {
    type: 'function',
    name: 'end_call',
    description:
      'End the phone call. Use it when the conversation is finished or the caller asks to hang up. The platform says goodbye for you.',
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', description: 'Why the call is ending, in a few words.' } },
    },
  },
  control: { endReason: 'agent_hangup' },
  run: async () => CONTROL_OK,
};

/** `end_call`: offered on every call; the platform says goodbye, then hangs up. */
export const endCallTool: ToolEntry = {
  reservedNames: ['end_call'],
  tools: () => [END_CALL],
};
