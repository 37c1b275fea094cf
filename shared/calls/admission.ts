import type { Call } from './call-types.ts';
import { type NewCall, createCall } from '../data/calls.ts';
import type { Db } from '../data/client.ts';
import { consumeRateLimit } from '../data/rate-limit.ts';
import { getTenant } from '../data/tenants.ts';
import { AppError, NotFoundError } from '../errors/app-error.ts';

/** Billing hold: the tenant has an unpaid invoice. Code `forbidden`, reason in details. */
export class BillingHoldError extends AppError {
  constructor() {
    super('forbidden', 'This account has an unpaid invoice; calls are paused until it is paid.', {
      details: { reason: 'past_due' },
    });
    this.name = 'BillingHoldError';
  }
}

/**
 * The one admission path for every new call (API outbound, Twilio and Asterisk inbound, browser):
 * the tenant must exist and be in good standing, the tenant's call rate must allow it, and a
 * concurrent-call slot must be free. The slot is taken atomically with the call record.
 */
export async function admitCall(
  db: Db,
  input: NewCall,
  options: { now?: Date; id?: string } = {},
): Promise<{ call: Call; created: boolean }> {
  const tenant = await getTenant(db, input.tenantId);
  if (!tenant) throw new NotFoundError('Tenant not found.');
  if (tenant.billingStatus === 'past_due') throw new BillingHoldError();
  await consumeRateLimit(db, `calls:${tenant.id}`, tenant.limits.requestsPerSecond, options.now?.getTime());
  return createCall(db, input, { maxConcurrentCalls: tenant.limits.maxConcurrentCalls, ...options });
}
