import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { presentPhoneNumber } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { listPhoneNumbers } from '#shared/data/phone-numbers.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/phone-numbers, newest first. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, PageQuerySchema);
    const page = await listPhoneNumbers(dbFromEnv(), tenantIdOf(request), {
      ...query,
      signingKey: await cursorKey(),
    });
    return { status: 200, body: { items: page.items.map(presentPhoneNumber), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey' },
);
