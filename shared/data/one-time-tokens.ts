import { createHash, randomBytes } from 'node:crypto';

/** Link tokens (invitations, password resets): 256 random bits; only the SHA-256 is stored. */
export function newLinkToken(prefix: string): { token: string; hash: string } {
  const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** DynamoDB TTL (epoch seconds) a day after an expiry, so expired items linger briefly for readers that filter. */
export const ttlAfter = (expiresAtMs: number) => Math.floor(expiresAtMs / 1000) + 24 * 3600;
