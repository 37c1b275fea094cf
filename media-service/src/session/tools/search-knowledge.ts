import { SEARCH_KNOWLEDGE_DEFINITION, SearchKnowledgeTool } from '../../knowledge/search-knowledge-tool.ts';
import type { ToolEntry } from './session-tool.ts';

/**
 * `search_knowledge`, for agents with knowledge bases: the index versions are pinned and warmed
 * as the call starts, so a sync publishing mid-call never changes what this call searches.
 */
export const searchKnowledgeTool: ToolEntry = {
  reservedNames: [SEARCH_KNOWLEDGE_DEFINITION.name],
  tools({ agent, call, deps, logger }) {
    const knowledge = deps.knowledge;
    if (!knowledge || !agent.knowledgeBaseIds?.length) return [];
    const tool = new SearchKnowledgeTool({
      knowledge,
      pins: knowledge.pinAndWarm(call.tenantId, agent),
      logger,
    });
    return [
      {
        definition: tool.definition,
        run: async ({ arguments: rawArguments }) => {
          const { output, transcript } = await tool.run(rawArguments);
          return { ok: true, output, transcript };
        },
      },
    ];
  },
};
