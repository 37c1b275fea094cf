import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signing (the scheme of standardwebhooks.com, also used by Svix): the secret is
 * `whsec_` + base64 of the key bytes; the signature is `v1,` + base64(HMAC-SHA256(key,
 * `${webhook-id}.${webhook-timestamp}.${body}`)). Several signatures may be sent separated by
 * spaces (during a secret rotation both the new and the previous secret sign).
 */
export const SECRET_PREFIX = 'whsec_';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

export function signPayload(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret))
    .update(`${id}.${timestampSeconds}.${body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

/** The three headers of one delivery attempt; `secrets` lists the current secret first. */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => signPayload(s, id, timestampSeconds, body)).join(' '),
  };
}

export type VerifyProblem = 'missing_headers' | 'bad_timestamp' | 'too_old' | 'too_new' | 'mismatch';

/** What a receiver does (used by our tests; docs/post-call-and-billing.md shows the same steps for customers). */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): { ok: true } | { ok: false; problem: VerifyProblem } {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return { ok: false, problem: 'missing_headers' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, problem: 'bad_timestamp' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (now - Number(timestamp) > tolerance) return { ok: false, problem: 'too_old' };
  if (Number(timestamp) - now > tolerance) return { ok: false, problem: 'too_new' };
  const expected = Buffer.from(signPayload(secret, id, Number(timestamp), body).slice(3), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, problem: 'mismatch' };
}
