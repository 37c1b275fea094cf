import { dbFromEnv } from '#shared/data/client.ts';
import { deletePhoneNumber } from '#shared/data/phone-numbers.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** DELETE /v1/phone-numbers/{id}: releases the number platform-wide. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const numberId = pathId(request, 'phoneNumber', 'Phone number');
    if (!(await deletePhoneNumber(dbFromEnv(), tenantIdOf(request), numberId))) {
      throw new NotFoundError('Phone number not found.');
    }
    logger.info('phone number deleted', { phoneNumberId: numberId });
    return { status: 204 };
  },
  { auth: 'apiKey' },
);
