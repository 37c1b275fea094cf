import { createHmac, timingSafeEqual } from 'node:crypto';

export const STRIPE_TOLERANCE_SECONDS = 300;

export type StripeSignatureProblem = 'missing' | 'malformed' | 'mismatch' | 'too_old';

/**
 * Verifies `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]` over the RAW body: HMAC-SHA256 keyed with
 * the endpoint secret string (`whsec_…`, used as is) of `${t}.${body}`, hex; any v1 may match
 * (several during secret rolling); the timestamp must be within the tolerance.
 */
export function verifyStripeSignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): { ok: true; timestamp: number } | { ok: false; problem: StripeSignatureProblem } {
  if (!header) return { ok: false, problem: 'missing' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, problem: 'malformed' };
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest();
  const matched = signatures.some((sig) => timingSafeEqual(Buffer.from(sig, 'hex'), expected));
  if (!matched) return { ok: false, problem: 'mismatch' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  // Like Stripe's libraries: only age is limited (a sender clock slightly ahead is accepted).
  if (now - timestamp > (options.toleranceSeconds ?? STRIPE_TOLERANCE_SECONDS))
    return { ok: false, problem: 'too_old' };
  return { ok: true, timestamp };
}

/** Builds a header the way Stripe does (tests and the local fake use it). */
export function stripeSignatureHeader(rawBody: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}
