import { CreateCallBodySchema } from '#shared/api/call-schemas.ts';
import { placeOutboundCall } from '#shared/api/outbound-calls.ts';
import { presentCall } from '#shared/api/presenters.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { callDepsFromEnv, parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/calls: admits an outbound call and hands it to its provider; 202 while it dials. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const input = parseBody(request, CreateCallBodySchema);
    const call = await placeOutboundCall(await callDepsFromEnv(), tenantIdOf(request), input, logger);
    logger.info('outbound call queued', { callId: call.id, provider: call.provider });
    return { status: 202, body: { call: presentCall(call) } };
  },
  { auth: 'apiKey' },
);
