import { addDncEntry } from '#shared/campaigns/dnc-store.ts';
import { E164Schema } from '#shared/agents/agent-schema.ts';
import type { Call } from '#shared/calls/call-types.ts';
import type { SessionTool, ToolEntry, ToolSetup } from './session-tool.ts';

/** The callee of an outbound phone call (the only calls campaigns and the API place). */
export function calleeNumber(call: Pick<Call, 'direction' | 'provider' | 'to'>): string | undefined {
  if (call.direction !== 'outbound' || call.provider === 'web') return undefined;
  return E164Schema.safeParse(call.to).success ? call.to : undefined;
}

function doNotCallTool({ call, deps, logger }: ToolSetup, number: string): SessionTool {
  return {
    definition: {
      type: 'function',
      name: 'add_to_do_not_call',
      description:
        'Put the person on this call on the do-not-call list, so no campaign calls them again. Use it when they ask not to be called again, to be removed from the list, or to stop the calls. Then confirm it to them.',
      parameters: {
        type: 'object',
        properties: { reason: { type: 'string', description: 'What they said, in a few words.' } },
      },
    },
    run: async (invocation) => {
      let reason: string | undefined;
      try {
        const args = JSON.parse(invocation.arguments || '{}') as { reason?: unknown };
        if (typeof args.reason === 'string') reason = args.reason.slice(0, 500);
      } catch {
        // The reason is optional: unreadable arguments still add the number.
      }
      try {
        await addDncEntry(deps.db, {
          tenantId: call.tenantId,
          number,
          source: 'agent',
          callId: call.id,
          ...(reason ? { reason } : {}),
          createdAt: new Date().toISOString(),
        });
        logger.info('number added to the do-not-call list by the agent', { callId: call.id });
        return {
          ok: true,
          output: JSON.stringify({ ok: true, message: 'The number will not be called again.' }),
          transcript: 'add_to_do_not_call → added',
        };
      } catch (err) {
        logger.error('do-not-call entry could not be written', { callId: call.id, err });
        return {
          ok: false,
          failure: 'dnc_write_failed',
          output: JSON.stringify({ ok: false, message: 'The list could not be updated right now.' }),
        };
      }
    },
  };
}

/**
 * `add_to_do_not_call`: offered on every outbound phone call, so a callee who asks to stop the
 * calls is put on the tenant's do-not-call list at once; campaigns check that list before every
 * dial. Inbound callers reached us themselves: there is nothing to stop.
 */
export const doNotCallToolEntry: ToolEntry = {
  reservedNames: ['add_to_do_not_call'],
  tools: (setup) => {
    const number = calleeNumber(setup.call);
    return number ? [doNotCallTool(setup, number)] : [];
  },
};
