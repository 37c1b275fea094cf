import { endCall } from '#shared/calls/end-call.ts';
import { presentCall } from '#shared/api/presenters.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { callDepsFromEnv } from '../lib/call-deps.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/calls/{id}/end: 202; the final status follows from the provider. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const callId = pathId(request, 'call', 'Call');
    const call = await endCall(await callDepsFromEnv(), tenantIdOf(request), callId, logger);
    logger.info('call end requested', { callId, status: call.status });
    return { status: 202, body: { call: presentCall(call) } };
  },
  { auth: 'apiKey' },
);
