import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { BuiltinTool } from '../session/tool-catalog.ts';
import type { KnowledgeSearch } from './knowledge-search.ts';
import { SearchKnowledgeTool } from './search-knowledge-tool.ts';

/**
 * The built-in tools a call gets from its agent's configuration: `search_knowledge` when the agent
 * has knowledge bases (their versions are pinned and warmed now, as the call starts).
 */
export function builtinToolsFor(
  agent: Agent,
  tenantId: string,
  knowledge: KnowledgeSearch | undefined,
  logger: Logger,
): BuiltinTool[] {
  if (!knowledge || !agent.knowledgeBaseIds?.length) return [];
  return [new SearchKnowledgeTool({ knowledge, pins: knowledge.pinAndWarm(tenantId, agent), logger })];
}
