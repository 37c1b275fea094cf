import type { RealtimeToolDefinition } from '../session-config.ts';
import { doNotCallToolEntry } from './do-not-call-tool.ts';
import { endCallTool } from './end-call-tool.ts';
import { httpTools } from './http-tools.ts';
import { searchKnowledgeTool } from './search-knowledge.ts';
import type { SessionTool, ToolEntry, ToolSetup } from './session-tool.ts';
import { transferCallTool } from './transfer-call-tool.ts';

/**
 * Every kind of tool a call can offer, built-in first: on a name clash the earlier entry wins,
 * and reserved names are never taken by a later entry. A new kind of tool is one file exporting
 * a `ToolEntry` and one line here.
 */
export const TOOL_ENTRIES: readonly ToolEntry[] = [
  endCallTool,
  transferCallTool,
  doNotCallToolEntry,
  searchKnowledgeTool,
  httpTools,
];

/** The tools of one call, by name, in the order the model is told about them. */
export class ToolRegistry {
  private readonly byName = new Map<string, SessionTool>();

  constructor(tools: readonly SessionTool[]) {
    for (const tool of tools) this.byName.set(tool.definition.name, tool);
  }

  definitions(): RealtimeToolDefinition[] {
    return [...this.byName.values()].map((tool) => tool.definition);
  }

  get(name: string): SessionTool | undefined {
    return this.byName.get(name);
  }
}

/** Builds the registry of one call from `entries` (the platform's `TOOL_ENTRIES` by default). */
export function toolRegistryFor(
  setup: ToolSetup,
  entries: readonly ToolEntry[] = TOOL_ENTRIES,
): ToolRegistry {
  const reservedBy = new Map<string, ToolEntry>();
  for (const entry of entries) for (const name of entry.reservedNames ?? []) reservedBy.set(name, entry);
  const chosen = new Map<string, SessionTool>();
  for (const entry of entries) {
    for (const tool of entry.tools(setup)) {
      const name = tool.definition.name;
      const owner = reservedBy.get(name);
      if (chosen.has(name) || (owner && owner !== entry)) continue;
      chosen.set(name, tool);
    }
  }
  return new ToolRegistry([...chosen.values()]);
}
