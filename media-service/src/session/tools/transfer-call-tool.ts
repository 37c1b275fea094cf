import { CONTROL_OK, type SessionTool, type ToolEntry } from './session-tool.ts';

const TRANSFER_CALL: SessionTool = {
  definition: {
    type: 'function',
    name: 'transfer_call',
    description:
      'Transfer the caller to a human colleague. Use it when the caller asks for a person or you cannot help further.',
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', description: 'Why the caller is being transferred.' } },
    },
  },
  control: { endReason: 'transferred' },
  run: async () => CONTROL_OK,
};

/**
 * `transfer_call` (cold transfer to the agent's `transferNumber`): offered when the agent has a
 * transfer number and the transport can transfer (not in the browser).
 */
export const transferCallTool: ToolEntry = {
  reservedNames: ['transfer_call'],
  tools: ({ agent, canTransfer }) => (canTransfer && agent.transferNumber ? [TRANSFER_CALL] : []),
};
