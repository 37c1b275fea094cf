import type { Db } from '../data/client.ts';
import { findPhoneNumber, type PhoneNumber } from '../data/phone-numbers.ts';
import { listAllTenantPhoneNumbers } from '../data/tenant-phone-numbers.ts';
import { ValidationError } from '../errors/app-error.ts';

type NumberProvider = PhoneNumber['provider'];

const invalid = (message: string) => new ValidationError(message, { details: [{ path: 'from', message }] });

/**
 * Picks the caller id and provider of an outbound call. A given `from` must be one of the
 * tenant's own numbers (no tenant may call from another's number); without it, the oldest number
 * mapped to the agent (for the requested provider, if any) is used.
 */
export async function resolveCallerNumber(
  db: Db,
  tenantId: string,
  agentId: string,
  request: { from?: string; provider?: NumberProvider },
): Promise<{ number: string; provider: NumberProvider }> {
  if (request.from) {
    const claim = await findPhoneNumber(db, request.from);
    if (!claim || claim.tenantId !== tenantId) {
      throw invalid('from must be one of your phone numbers (POST /v1/phone-numbers).');
    }
    if (request.provider && claim.provider !== request.provider) {
      throw invalid(`from is a ${claim.provider} number, not ${request.provider}.`);
    }
    return { number: claim.number, provider: claim.provider };
  }
  const mapped = (await listAllTenantPhoneNumbers(db, tenantId))
    .filter((n) => n.agentId === agentId && (!request.provider || n.provider === request.provider))
    .sort((a, b) => a.id.localeCompare(b.id));
  const chosen = mapped[0];
  if (!chosen) {
    const which = request.provider ? `${request.provider} ` : '';
    throw invalid(`The agent has no ${which}phone number to call from; register one or pass from.`);
  }
  return { number: chosen.number, provider: chosen.provider };
}
