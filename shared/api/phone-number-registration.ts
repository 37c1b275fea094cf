import type { z } from 'zod';
import type { Db } from '../data/client.ts';
import { createPhoneNumber, type PhoneNumber } from '../data/phone-numbers.ts';
import { requireAgent } from './agent-changes.ts';
import type { CreatePhoneNumberBodySchema } from './phone-number-schemas.ts';

/** Registers a number for one of the tenant's own agents; a number taken by anyone is a 409. */
export async function registerPhoneNumber(
  db: Db,
  tenantId: string,
  input: z.output<typeof CreatePhoneNumberBodySchema>,
): Promise<PhoneNumber> {
  await requireAgent(db, tenantId, input.agentId);
  return createPhoneNumber(db, { tenantId, ...input });
}
