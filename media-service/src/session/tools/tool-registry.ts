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

/** One finished tool run, as observers see it (wall-clock ms since the epoch). */
export interface ToolRun {
  name: string;
  startMs: number;
  endMs: number;
  ok: boolean;
  /** Why it failed (`timeout`, `status_500`, `threw`, …); absent when it succeeded. */
  failure?: string;
}

/** Told about every tool run of the call (its trace spans); must not throw. */
export type ToolRunObserver = (run: ToolRun) => void;

/** `tool`, reporting each run to `observe`; a run that rejects is reported `threw` and rethrown. */
function observed(tool: SessionTool, observe: ToolRunObserver): SessionTool {
  const name = tool.definition.name;
  return {
    definition: tool.definition,
    ...(tool.control ? { control: tool.control } : {}),
    async run(invocation) {
      const startMs = Date.now();
      try {
        const result = await tool.run(invocation);
        observe({
          name,
          startMs,
          endMs: Date.now(),
          ok: result.ok,
          ...(result.ok ? {} : { failure: result.failure ?? 'error' }),
        });
        return result;
      } catch (error) {
        observe({ name, startMs, endMs: Date.now(), ok: false, failure: 'threw' });
        throw error;
      }
    },
  };
}

/** The tools of one call, by name, in the order the model is told about them. */
export class ToolRegistry {
  private readonly byName = new Map<string, SessionTool>();

  /** `observe`, when given, hears about every run of every tool (timing, outcome). */
  constructor(tools: readonly SessionTool[], observe?: ToolRunObserver) {
    for (const tool of tools) this.byName.set(tool.definition.name, observe ? observed(tool, observe) : tool);
  }

  definitions(): RealtimeToolDefinition[] {
    return [...this.byName.values()].map((tool) => tool.definition);
  }

  get(name: string): SessionTool | undefined {
    return this.byName.get(name);
  }
}

/**
 * Builds the registry of one call from `entries` (the platform's `TOOL_ENTRIES` by default);
 * `observe` hears about every tool run (the session's trace spans).
 */
export function toolRegistryFor(
  setup: ToolSetup,
  entries: readonly ToolEntry[] = TOOL_ENTRIES,
  observe?: ToolRunObserver,
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
  return new ToolRegistry([...chosen.values()], observe);
}
