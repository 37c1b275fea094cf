import { E164Schema } from '#shared/agents/agent-schema.ts';
import { removeDncEntry } from '#shared/campaigns/dnc-store.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { tenantIdOf } from '../lib/route-helpers.ts';

/** DELETE /v1/dnc/{number}: the number may be called again (URL-encode the `+` as %2B). */
export const handler = httpHandler(
  async ({ request }) => {
    const number = decodeURIComponent(request.pathParams.number ?? '');
    if (
      !E164Schema.safeParse(number).success ||
      !(await removeDncEntry(dbFromEnv(), tenantIdOf(request), number))
    ) {
      throw new NotFoundError('That number is not on the do-not-call list.');
    }
    return { status: 204 };
  },
  { auth: 'apiKey' },
);
