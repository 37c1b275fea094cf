import { presentPhoneNumber } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { getPhoneNumber } from '#shared/data/phone-numbers.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/phone-numbers/{id} */
export const handler = httpHandler(
  async ({ request }) => {
    const numberId = pathId(request, 'phoneNumber', 'Phone number');
    const phone = await getPhoneNumber(dbFromEnv(), tenantIdOf(request), numberId);
    if (!phone) throw new NotFoundError('Phone number not found.');
    return { status: 200, body: { phoneNumber: presentPhoneNumber(phone) } };
  },
  { auth: 'apiKey' },
);
