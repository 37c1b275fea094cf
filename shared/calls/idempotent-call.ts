import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Call } from './call-types.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
} from '../data/request-idempotency.ts';
import { ConflictError, ValidationError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { type CallDeps, requireCall } from './call-deps.ts';
import type { CreateCallBodySchema } from '../api/call-schemas.ts';
import { placeOutboundCall } from './outbound-calls.ts';

/** Keys are kept a day, like the payment APIs clients know this header from. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/**
 * Places an outbound call at most once per `Idempotency-Key`: a retried request (a timeout, a
 * lost response) gets the call the first attempt created instead of dialing the callee twice.
 * The same key with a different body is a 409; a failed attempt frees the key for a retry.
 */
export async function placeOutboundCallOnce(
  deps: CallDeps,
  tenantId: string,
  input: z.output<typeof CreateCallBodySchema>,
  idempotencyKey: string | undefined,
  logger: Logger,
): Promise<{ call: Call; replayed: boolean }> {
  if (idempotencyKey === undefined) {
    return { call: await placeOutboundCall(deps, tenantId, input, logger), replayed: false };
  }
  if (!KEY_FORMAT.test(idempotencyKey)) {
    throw new ValidationError('The Idempotency-Key header must be 1 to 255 printable characters.', {
      details: [{ path: 'idempotency-key', message: 'invalid' }],
    });
  }
  const scope = `calls:${tenantId}`;
  const fingerprint = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  const claim = await claimIdempotencyKey(deps.db, {
    scope,
    key: idempotencyKey,
    fingerprint,
    ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
  if (claim.state !== 'claimed' && claim.fingerprint !== fingerprint) {
    throw new ConflictError('This Idempotency-Key was used with a different request.', {
      details: { reason: 'idempotency_key_reused' },
    });
  }
  if (claim.state === 'pending') {
    throw new ConflictError('A request with this Idempotency-Key is still in progress.', {
      details: { reason: 'idempotency_key_in_progress' },
      retryable: true,
    });
  }
  if (claim.state === 'completed') {
    return { call: await requireCall(deps.db, tenantId, claim.resourceId), replayed: true };
  }
  let call: Call;
  try {
    call = await placeOutboundCall(deps, tenantId, input, logger);
  } catch (error) {
    await releaseIdempotencyKey(deps.db, scope, idempotencyKey).catch((err) =>
      logger.error('could not release an idempotency key', { err }),
    );
    throw error;
  }
  await completeIdempotencyKey(deps.db, scope, idempotencyKey, call.id);
  return { call, replayed: false };
}
