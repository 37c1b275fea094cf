import type { HttpTool } from '#shared/agents/agent-schema.ts';
import { signingSecrets } from '#shared/webhooks/secret-store.ts';
import { callHttpTool } from './http-tool.ts';
import type { SessionTool, ToolEntry, ToolSetup } from './session-tool.ts';

/**
 * The agent's tenant-defined HTTP tools (`type: 'http'`): each call POSTs the arguments to the
 * tool's URL, signed with the tenant's webhook secrets (`http-tool.ts`).
 */
export const httpTools: ToolEntry = {
  tools(setup) {
    const secrets = sharedWhileInFlight(async () =>
      signingSecrets(
        setup.deps.db,
        setup.call.tenantId,
        await setup.deps.secrets.require('INTERNAL_SIGNING_KEY'),
      ),
    );
    return setup.agent.tools
      .filter((tool): tool is HttpTool => tool.type === 'http')
      .map((tool) => httpTool(tool, setup, secrets));
  },
};

function httpTool(tool: HttpTool, setup: ToolSetup, secrets: () => Promise<string[]>): SessionTool {
  return {
    definition: {
      type: 'function',
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
    },
    run: async ({ toolCallId, arguments: rawArguments }) =>
      callHttpTool(
        tool,
        rawArguments,
        { tenantId: setup.call.tenantId, callId: setup.call.id, agentId: setup.agent.id, toolCallId },
        // Checked at call time too (after DNS, on every redirect): saved URLs were checked at save time.
        { secrets: await secrets(), policy: setup.deps.env.outboundPolicy },
      ),
  };
}

/**
 * Tools of one response run together: they share one read of the signing secrets, and the next
 * batch reads them afresh (a rotated secret applies from the next tool call on).
 */
function sharedWhileInFlight<T>(load: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    if (!inFlight) {
      inFlight = load().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  };
}
