import type { ClientEvent } from '../../realtime/realtime-events.ts';
import type { EndReason } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { controlOf, type SessionTool, type ToolResult } from './session-tool.ts';
import type { ToolRegistry } from './tool-registry.ts';

export interface PendingToolCall {
  callId: string;
  name: string;
  arguments: string;
}

export interface ToolRunnerOptions {
  registry: ToolRegistry;
  logger: Logger;
  /** A tool still running after this long makes the agent say a short filler. */
  fillerAfterMs: number;
  /** Starts a timer the session cancels when it closes. */
  after(delayMs: number, run: () => void): { cancel(): void };
  send(event: ClientEvent): void;
  /** Asks for the next response (sequenced after any active one). */
  requestResponse(response?: Record<string, unknown>): void;
  /** Stores a tool turn in the transcript. */
  recordTool(callId: string, text: string, startedAt: string): void;
  /** A call-control tool was called: end the call politely with `reason`. */
  endCall(reason: EndReason): void;
  activity(): void;
  /** A tool of the registry was invoked (names the model made up are not counted). */
  toolCalled?(name: string): void;
  /** The tools running now (tool call id → name), reported when a batch starts and ends. */
  inFlight?(tools: Record<string, string>): void;
}

const FILLER_INSTRUCTIONS =
  'Say one very short, natural filler sentence such as "One moment while I check that." and nothing else.';
const UNKNOWN_TOOL: ToolResult = { ok: false, output: JSON.stringify({ error: 'unknown_tool' }) };
const TOOL_FAILED: ToolResult = {
  ok: false,
  failure: 'threw',
  output: JSON.stringify({ error: 'tool_failed' }),
};

/**
 * Runs the model's tool calls in the realtime sequence: collect `function_call_arguments.done`,
 * wait for `response.done`, run the tools, send each `function_call_output`, then one
 * `response.create`. A tool still running after `fillerAfterMs` triggers a short filler line
 * (an out-of-band response that does not enter the conversation), so there is no dead air.
 */
export class ToolRunner {
  private readonly options: ToolRunnerOptions;
  private pending: PendingToolCall[] = [];
  running = false;

  constructor(options: ToolRunnerOptions) {
    this.options = options;
  }

  collect(call: PendingToolCall): void {
    this.pending.push(call);
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Forgets calls of a response that will never finish (model socket dropped). */
  discard(): void {
    this.pending = [];
  }

  async runPending(): Promise<void> {
    const calls = this.pending.splice(0);
    if (calls.length === 0) return;
    const { registry } = this.options;
    const control = calls.find((call) => controlOf(registry.get(call.name), call.arguments));
    const controlTool = control && registry.get(control.name);
    const endReason = control && controlOf(controlTool, control.arguments)?.endReason;
    if (control && controlTool && endReason) {
      const result = await this.run(controlTool, control);
      for (const call of calls)
        this.output(call.callId, call === control ? result.output : JSON.stringify({ skipped: true }));
      this.options.recordTool(control.callId, `${control.name}()`, new Date().toISOString());
      this.options.endCall(endReason);
      return;
    }

    this.running = true;
    this.options.activity();
    this.options.inFlight?.(Object.fromEntries(calls.map((call) => [call.callId, call.name])));
    // A tool that speaks for itself (a warm transfer) must not be talked over by a filler.
    const quiet = calls.some((call) => registry.get(call.name)?.quiet);
    const filler = quiet
      ? undefined
      : this.options.after(this.options.fillerAfterMs, () => {
          this.options.logger.debug('tool is slow; filler requested');
          this.options.send({
            type: 'response.create',
            response: { conversation: 'none', instructions: FILLER_INSTRUCTIONS },
          });
        });
    try {
      const results = await Promise.all(
        calls.map(async (call) => {
          const startedAt = new Date().toISOString();
          const tool = registry.get(call.name);
          return { call, startedAt, ...(tool ? await this.run(tool, call) : UNKNOWN_TOOL) };
        }),
      );
      for (const { call, output, startedAt, transcript } of results) {
        this.output(call.callId, output);
        this.options.recordTool(
          call.callId,
          transcript ?? `${call.name}(${call.arguments}) → ${output}`,
          startedAt,
        );
      }
    } finally {
      filler?.cancel();
      this.running = false;
      this.options.inFlight?.({});
    }
    this.options.activity();
    this.options.requestResponse();
  }

  private async run(tool: SessionTool, call: PendingToolCall): Promise<ToolResult> {
    this.options.toolCalled?.(call.name);
    let result: ToolResult;
    try {
      result = await tool.run({ toolCallId: call.callId, arguments: call.arguments });
    } catch (error) {
      this.options.logger.error('tool threw', { tool: call.name, err: error });
      return TOOL_FAILED;
    }
    if (!result.ok && result.failure)
      this.options.logger.warn('tool call failed', {
        tool: call.name,
        failure: result.failure,
        status: result.status,
      });
    return result;
  }

  private output(callId: string, text: string): void {
    this.options.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: callId, output: text },
    });
  }
}
