import { CreateCallBodySchema } from '#shared/api/call-schemas.ts';
import { placeOutboundCallOnce } from '#shared/calls/idempotent-call.ts';
import { presentCall } from '#shared/api/presenters.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { callDepsFromEnv } from '../lib/call-deps.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/**
 * POST /v1/calls: admits an outbound call and hands it to its provider; 202 while it dials.
 * With an `Idempotency-Key` header a retried request returns the first call instead of a second.
 */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const input = parseBody(request, CreateCallBodySchema);
    const { call, replayed } = await placeOutboundCallOnce(
      await callDepsFromEnv(),
      tenantIdOf(request),
      input,
      request.headers['idempotency-key'],
      logger,
    );
    if (!replayed) logger.info('outbound call queued', { callId: call.id, provider: call.provider });
    return {
      status: 202,
      body: { call: presentCall(call) },
      headers: replayed ? { 'idempotent-replayed': 'true' } : undefined,
    };
  },
  { auth: 'apiKey' },
);
