import { DeliveriesQuerySchema } from '#shared/billing/billing-api-schemas.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { listDeliveryAttempts } from '#shared/webhooks/delivery-store.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/webhook-deliveries: every delivery attempt, newest first (filter by eventId or callId). */
export const handler = httpHandler(
  async ({ request }) => {
    const { limit, cursor, eventId, callId } = parseQuery(request, DeliveriesQuerySchema);
    const tenantId = tenantIdOf(request);
    const page = await listDeliveryAttempts(
      dbFromEnv(),
      tenantId,
      { eventId, callId },
      { limit, cursor, signingKey: await cursorKey() },
    );
    return {
      status: 200,
      body: {
        items: page.items.map(({ tenantId: _t, ...attempt }) => ({
          ...attempt,
          httpStatus: attempt.httpStatus ?? null,
          error: attempt.error ?? null,
          nextAttemptAt: attempt.nextAttemptAt ?? null,
        })),
        nextCursor: page.nextCursor,
      },
    };
  },
  { auth: 'apiKey', scope: 'admin' },
);
