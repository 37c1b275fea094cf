import type { Agent, HttpTool } from '#shared/agents/agent-schema.ts';
import type { RealtimeToolDefinition } from './session-config.ts';

/** A tool the platform implements itself (e.g. `search_knowledge`). */
export interface BuiltinTool {
  readonly definition: RealtimeToolDefinition;
  /** Never throws: the output goes to the model, the transcript line into the call's transcript. */
  run(rawArguments: string): Promise<{ output: string; transcript: string }>;
}

export type ToolKind =
  | { kind: 'end_call' }
  | { kind: 'transfer_call' }
  | { kind: 'builtin'; tool: BuiltinTool }
  | { kind: 'http'; tool: HttpTool }
  | { kind: 'unknown' };

const END_CALL: RealtimeToolDefinition = {
  type: 'function',
  name: 'end_call',
  description:
    'End the phone call. Use it when the conversation is finished or the caller asks to hang up. The platform says goodbye for you.',
  parameters: {
    type: 'object',
    properties: { reason: { type: 'string', description: 'Why the call is ending, in a few words.' } },
  },
};

const TRANSFER_CALL: RealtimeToolDefinition = {
  type: 'function',
  name: 'transfer_call',
  description:
    'Transfer the caller to a human colleague. Use it when the caller asks for a person or you cannot help further.',
  parameters: {
    type: 'object',
    properties: { reason: { type: 'string', description: 'Why the caller is being transferred.' } },
  },
};

/**
 * The tools a call offers the model: `end_call` always, `transfer_call` when the agent has a
 * transfer number and the transport can transfer, and the agent's HTTP tools. Tenant tools may
 * not shadow the built-in names.
 */
export class ToolCatalog {
  private readonly agent: Agent;
  private readonly canTransfer: boolean;
  private readonly builtins: readonly BuiltinTool[];

  constructor(agent: Agent, transportCanTransfer: boolean, builtins: readonly BuiltinTool[] = []) {
    this.agent = agent;
    this.canTransfer = transportCanTransfer && Boolean(agent.transferNumber);
    this.builtins = builtins;
  }

  private isBuiltinName(name: string): boolean {
    return (
      name === 'end_call' || name === 'transfer_call' || this.builtins.some((b) => b.definition.name === name)
    );
  }

  definitions(): RealtimeToolDefinition[] {
    const tools = [END_CALL];
    if (this.canTransfer) tools.push(TRANSFER_CALL);
    for (const builtin of this.builtins) tools.push(builtin.definition);
    for (const tool of this.agent.tools) {
      if (this.isBuiltinName(tool.name)) continue;
      tools.push({
        type: 'function',
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters,
      });
    }
    return tools;
  }

  resolve(name: string): ToolKind {
    if (name === 'end_call') return { kind: 'end_call' };
    if (name === 'transfer_call' && this.canTransfer) return { kind: 'transfer_call' };
    const builtin = this.builtins.find((b) => b.definition.name === name);
    if (builtin) return { kind: 'builtin', tool: builtin };
    const tool = this.agent.tools.find((candidate) => candidate.name === name);
    return tool ? { kind: 'http', tool } : { kind: 'unknown' };
  }
}
