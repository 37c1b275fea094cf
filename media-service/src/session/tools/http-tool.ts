import type { HttpTool } from '#shared/agents/agent-schema.ts';
import { OutboundTargetRefusedError, outboundRequest } from '#shared/net/outbound-request.ts';
import type { OutboundPolicy } from '#shared/net/outbound-target.ts';
import { webhookHeaders } from '#shared/webhooks/signing.ts';

/** Largest tool response passed back to the model (it is context the model must read). */
const MAX_OUTPUT_CHARS = 16_000;
/** Redirects a tool may answer with; each target is checked like the first. */
const MAX_TOOL_REDIRECTS = 3;

export interface HttpToolContext {
  tenantId: string;
  callId: string;
  agentId: string;
  toolCallId: string;
}

/**
 * Calls a tenant's HTTP tool: POSTs `{tool, arguments, callId, agentId, toolCallId}` as JSON
 * within the tool's timeout, signed like the tenant's webhooks (Standard Webhooks headers with the
 * tenant's webhook secret), so one verification routine serves both. Always resolves with the text the model gets as
 * `function_call_output`: the response body on 2xx, otherwise a JSON error the model can
 * explain to the caller. Never throws, so a failing tool never breaks the call. The request goes
 * through the outbound-target policy (checked again here, after DNS and on every redirect, however
 * the URL was saved): a refused target answers `tool_refused` and nothing of it reaches the model.
 */
export async function callHttpTool(
  tool: HttpTool,
  rawArguments: string,
  context: HttpToolContext,
  options: { secrets: readonly string[]; policy: OutboundPolicy; nowMs?: number },
): Promise<{ output: string; ok: boolean; status?: number; failure?: string }> {
  let args: unknown;
  try {
    args = rawArguments ? JSON.parse(rawArguments) : {};
  } catch {
    return { ok: false, failure: 'bad_arguments', output: JSON.stringify({ error: 'invalid_arguments' }) };
  }
  const body = JSON.stringify({
    tool: tool.name,
    arguments: args,
    callId: context.callId,
    agentId: context.agentId,
    toolCallId: context.toolCallId,
  });
  try {
    const response = await outboundRequest(
      tool.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'ai-caller-tools/1',
          'x-ai-caller-call-id': context.callId,
          ...webhookHeaders(
            options.secrets,
            `tool_${context.toolCallId}`,
            Math.floor((options.nowMs ?? Date.now()) / 1000),
            body,
          ),
        },
        body,
        timeoutMs: tool.timeoutMs,
        maxRedirects: MAX_TOOL_REDIRECTS,
        // Bytes, generously above the characters kept (UTF-8 takes up to 4 bytes per character).
        maxResponseBytes: MAX_OUTPUT_CHARS * 4,
      },
      options.policy,
    );
    const text = response.body.slice(0, MAX_OUTPUT_CHARS);
    if (response.status < 200 || response.status >= 300) {
      return {
        ok: false,
        status: response.status,
        failure: 'http_error',
        output: JSON.stringify({ error: 'tool_failed', status: response.status }),
      };
    }
    return { ok: true, status: response.status, output: text || '{}' };
  } catch (error) {
    if (error instanceof OutboundTargetRefusedError) {
      return {
        ok: false,
        failure: `refused_${error.reason}`,
        output: JSON.stringify({ error: 'tool_refused' }),
      };
    }
    const timedOut = (error as Error).name === 'TimeoutError';
    return {
      ok: false,
      failure: timedOut ? 'timeout' : 'unreachable',
      output: JSON.stringify({ error: timedOut ? 'tool_timeout' : 'tool_unreachable' }),
    };
  }
}
