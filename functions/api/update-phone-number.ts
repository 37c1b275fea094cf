import { UpdatePhoneNumberBodySchema } from '#shared/api/phone-number-schemas.ts';
import { reassignPhoneNumber } from '#shared/phone-numbers/phone-number-registration.ts';
import { presentPhoneNumber } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** PATCH /v1/phone-numbers/{id}: routes the number's calls to another agent. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const numberId = pathId(request, 'phoneNumber', 'Phone number');
    const input = parseBody(request, UpdatePhoneNumberBodySchema);
    const phone = await reassignPhoneNumber(dbFromEnv(), tenantIdOf(request), numberId, input);
    logger.info('phone number remapped', { phoneNumberId: numberId, agentId: phone.agentId });
    return { status: 200, body: { phoneNumber: presentPhoneNumber(phone) } };
  },
  { auth: 'apiKey' },
);
