import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '../errors/app-error.ts';
import { isCommonPassword } from './common-passwords.ts';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/**
 * scrypt with N=2^15, r=8, p=1 (32 MiB and roughly 50-100 ms per hash on a Lambda core), a 16-byte
 * random salt and a 32-byte key, as OWASP recommends for scrypt. The parameters are stored in each
 * hash (`scrypt$N$r$p$salt$key`), so raising them later keeps old hashes verifiable.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export class WeakPasswordError extends AppError {
  constructor(message: string) {
    super('weak_password', message);
    this.name = 'WeakPasswordError';
  }
}

/** Throws `weak_password` with the reason; the rules follow NIST SP 800-63B (length and a blocklist, no composition rules). */
export function assertPasswordAcceptable(password: string, context: { email?: string } = {}): void {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    throw new WeakPasswordError(`Use at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new WeakPasswordError(`Use at most ${MAX_PASSWORD_LENGTH} characters.`);
  if (isCommonPassword(password)) throw new WeakPasswordError('This password is too common; choose another.');
  const email = context.email?.toLowerCase();
  if (email && (password.toLowerCase() === email || password.toLowerCase() === email.split('@')[0]))
    throw new WeakPasswordError('Do not use your email address as the password.');
}

const MAXMEM = 128 * SCRYPT_PARAMS.N * SCRYPT_PARAMS.r * 2;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT_PARAMS.saltLength);
  const { N, r, p, keyLength } = SCRYPT_PARAMS;
  const key = await scryptAsync(password.normalize('NFKC'), salt, keyLength, { N, r, p, maxmem: MAXMEM });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Constant-time comparison of the derived key; a malformed stored hash simply does not match. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every(Number.isInteger) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const expected = Buffer.from(parts[5] as string, 'base64url');
  const actual = await scryptAsync(password.normalize('NFKC'), salt, expected.length, {
    N,
    r,
    p,
    maxmem: 128 * N * r * 2,
  });
  return timingSafeEqual(actual, expected);
}

/**
 * A hash of a random password, verified against when the email is unknown so that the answer
 * takes as long as for a real account (no user enumeration by timing).
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(18).toString('base64url'));
  return dummyHash;
}
