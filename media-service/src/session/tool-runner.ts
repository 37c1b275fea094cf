import type { Logger } from '#shared/logging/logger.ts';
import { callHttpTool, type HttpToolContext } from './http-tool.ts';
import type { ToolCatalog } from './tool-catalog.ts';

export interface PendingToolCall {
  callId: string;
  name: string;
  arguments: string;
}

export interface ToolRunnerOptions {
  catalog: ToolCatalog;
  context: Omit<HttpToolContext, 'toolCallId'>;
  logger: Logger;
  /** The tenant's webhook signing secrets, current first. */
  signingSecrets(): Promise<string[]>;
  fetch?: typeof fetch;
  /** A tool still running after this long makes the agent say a short filler. */
  fillerAfterMs: number;
  send(event: { type: string; [key: string]: unknown }): void;
  /** Asks for the next response (sequenced after any active one). */
  requestResponse(response?: Record<string, unknown>): void;
  /** Stores a tool turn in the transcript. */
  recordTool(callId: string, text: string, startedAt: string): void;
  endCall(reason: string): void;
  transfer(): void;
  activity(): void;
}

const FILLER_INSTRUCTIONS =
  'Say one very short, natural filler sentence such as "One moment while I check that." and nothing else.';

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
    const { catalog, send, logger } = this.options;
    const output = (callId: string, text: string) =>
      send({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: callId, output: text },
      });

    const control = calls.find((call) =>
      ['end_call', 'transfer_call'].includes(catalog.resolve(call.name).kind),
    );
    if (control) {
      for (const call of calls)
        output(call.callId, JSON.stringify(call === control ? { ok: true } : { skipped: true }));
      const kind = catalog.resolve(control.name).kind;
      this.options.recordTool(control.callId, `${control.name}()`, new Date().toISOString());
      if (kind === 'transfer_call') this.options.transfer();
      else this.options.endCall(reasonOf(control.arguments));
      return;
    }

    this.running = true;
    this.options.activity();
    const filler = setTimeout(() => {
      logger.debug('tool is slow; filler requested');
      send({
        type: 'response.create',
        response: { conversation: 'none', instructions: FILLER_INSTRUCTIONS },
      });
    }, this.options.fillerAfterMs);
    try {
      const secrets = await this.options.signingSecrets();
      const results = await Promise.all(
        calls.map(async (call) => {
          const startedAt = new Date().toISOString();
          const tool = catalog.resolve(call.name);
          if (tool.kind === 'builtin') {
            const result = await tool.tool.run(call.arguments);
            return { call, startedAt, ...result, ok: true };
          }
          if (tool.kind !== 'http') {
            return { call, startedAt, output: JSON.stringify({ error: 'unknown_tool' }), ok: false };
          }
          const result = await callHttpTool(
            tool.tool,
            call.arguments,
            { ...this.options.context, toolCallId: call.callId },
            { secrets, fetch: this.options.fetch },
          );
          if (!result.ok)
            logger.warn('tool call failed', {
              tool: call.name,
              failure: result.failure,
              status: result.status,
            });
          return { call, startedAt, ...result };
        }),
      );
      for (const result of results) {
        const { call, output: text, startedAt } = result;
        output(call.callId, text);
        const line = 'transcript' in result ? result.transcript : undefined;
        this.options.recordTool(call.callId, line ?? `${call.name}(${call.arguments}) → ${text}`, startedAt);
      }
    } finally {
      clearTimeout(filler);
      this.running = false;
    }
    this.options.activity();
    this.options.requestResponse();
  }
}

function reasonOf(rawArguments: string): string {
  try {
    const parsed = JSON.parse(rawArguments) as { reason?: unknown };
    return typeof parsed.reason === 'string' ? parsed.reason.slice(0, 200) : '';
  } catch {
    return '';
  }
}
