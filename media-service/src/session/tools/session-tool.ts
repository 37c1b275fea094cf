import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Call, EndReason } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { SessionDeps } from '../session-deps.ts';
import type { RealtimeToolDefinition } from '../session-config.ts';
import type { WarmTransfer } from '../transfer/warm-transfer.ts';

/** One `function_call` the model made: its id and its arguments as the model wrote them (JSON text). */
export interface ToolInvocation {
  toolCallId: string;
  arguments: string;
}

/**
 * What a tool gives back: `output` is the `function_call_output` the model reads (never thrown:
 * a failure is text the model can explain to the caller). `failure` names why it failed, for the
 * log; `status` is an HTTP status where there was one.
 */
export interface ToolResult {
  output: string;
  ok: boolean;
  failure?: string;
  status?: number;
  /** The transcript's line for this tool turn, where it differs from `name(arguments) → output`. */
  transcript?: string;
}

/**
 * A tool that ends the call instead of continuing the conversation (hang up, cold transfer). When
 * the model calls one, the other calls of the same response are answered `{skipped: true}` and
 * the session ends the call with `endReason`, saying the closing line that fits it.
 */
export interface CallControl {
  endReason: EndReason;
}

/**
 * One tool offered to the model during a call: its definition, optional call control, and `run`.
 * `run` must resolve (a rejection is answered `tool_failed`); it is bound to the call already,
 * so it gets only what the model sent.
 */
export interface SessionTool {
  readonly definition: RealtimeToolDefinition;
  /** Call control, fixed or decided from the call's arguments (JSON text as the model wrote it). */
  readonly control?: CallControl | ((args: string) => CallControl | undefined);
  /** The tool speaks for itself while it runs (a warm transfer): no filler line. */
  readonly quiet?: boolean;
  run(invocation: ToolInvocation): Promise<ToolResult>;
}

/** What a tool entry may use to build the tools of one call. */
export interface ToolSetup {
  call: Call;
  agent: Agent;
  /** The caller leg can be transferred (the transport implements `transfer`). */
  canTransfer: boolean;
  /** Warm transfers of this call, when the transport can move legs (`WarmTransferLine`). */
  warmTransfer?: WarmTransfer;
  /** The media service's shared dependencies (db, secrets, fetch, env). */
  deps: SessionDeps;
  /** The call's logger. */
  logger: Logger;
}

/**
 * One kind of tool in the registry (`tool-registry.ts`). `reservedNames` are names only this
 * entry may use: a tenant-defined tool of the same name is never offered, even on calls where
 * the entry offers nothing.
 */
export interface ToolEntry {
  readonly reservedNames?: readonly string[];
  tools(setup: ToolSetup): SessionTool[];
}

/** The call control of `tool` for one call with `args`, if it has any. */
export function controlOf(tool: SessionTool | undefined, args: string): CallControl | undefined {
  return typeof tool?.control === 'function' ? tool.control(args) : tool?.control;
}

/** Output of a call-control tool that was carried out. */
export const CONTROL_OK: ToolResult = { ok: true, output: JSON.stringify({ ok: true }) };
