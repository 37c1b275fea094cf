import { requireCall } from '#shared/calls/call-deps.ts';
import { presentCall } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/calls/{id} */
export const handler = httpHandler(
  async ({ request }) => {
    const call = await requireCall(dbFromEnv(), tenantIdOf(request), pathId(request, 'call', 'Call'));
    return { status: 200, body: { call: presentCall(call) } };
  },
  { auth: 'apiKey' },
);
