import { CreatePhoneNumberBodySchema } from '#shared/api/phone-number-schemas.ts';
import { registerPhoneNumber } from '#shared/phone-numbers/phone-number-registration.ts';
import { presentPhoneNumber } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/phone-numbers: maps a number to an agent; 409 when any tenant has it. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const input = parseBody(request, CreatePhoneNumberBodySchema);
    const phone = await registerPhoneNumber(dbFromEnv(), tenantIdOf(request), input);
    logger.info('phone number registered', { phoneNumberId: phone.id, agentId: phone.agentId });
    return { status: 201, body: { phoneNumber: presentPhoneNumber(phone) } };
  },
  { auth: 'apiKey' },
);
