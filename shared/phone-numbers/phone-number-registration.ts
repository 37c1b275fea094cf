import type { z } from 'zod';
import type { Db } from '../data/client.ts';
import { remapPhoneNumber } from '../data/phone-number-updates.ts';
import { createPhoneNumber, type PhoneNumber } from '../data/phone-numbers.ts';
import { NotFoundError } from '../errors/app-error.ts';
import { requireAgent } from '../agents/agent-changes.ts';
import type {
  CreatePhoneNumberBodySchema,
  UpdatePhoneNumberBodySchema,
} from '../api/phone-number-schemas.ts';

/** Registers a number for one of the tenant's own agents; a number taken by anyone is a 409. */
export async function registerPhoneNumber(
  db: Db,
  tenantId: string,
  input: z.output<typeof CreatePhoneNumberBodySchema>,
): Promise<PhoneNumber> {
  await requireAgent(db, tenantId, input.agentId);
  return createPhoneNumber(db, { tenantId, ...input });
}

/** Routes a number's calls to another of the tenant's agents. */
export async function reassignPhoneNumber(
  db: Db,
  tenantId: string,
  numberId: string,
  input: z.output<typeof UpdatePhoneNumberBodySchema>,
): Promise<PhoneNumber> {
  await requireAgent(db, tenantId, input.agentId);
  const updated = await remapPhoneNumber(db, tenantId, numberId, input.agentId);
  if (!updated) throw new NotFoundError('Phone number not found.');
  return updated;
}
