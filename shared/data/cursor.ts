import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors/app-error.ts';

/**
 * Opaque, tamper-proof pagination cursors. The DynamoDB LastEvaluatedKey is bound to the list it
 * came from (`scope`, e.g. `calls:ten_…`) and signed, so a forged or foreign cursor is a 400 and can
 * never page into another tenant's partition.
 */
export function encodeCursor(
  key: Record<string, unknown> | undefined,
  scope: string,
  signingKey: string,
): string | null {
  if (!key) return null;
  const body = Buffer.from(JSON.stringify({ s: scope, k: key })).toString('base64url');
  const mac = createHmac('sha256', signingKey).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export function decodeCursor(
  cursor: string | undefined,
  scope: string,
  signingKey: string,
): Record<string, unknown> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const invalid = () =>
    new ValidationError('The cursor is invalid.', { details: [{ path: 'cursor', message: 'invalid' }] });
  const [body, mac] = cursor.split('.');
  if (!body || !mac) throw invalid();
  const expected = createHmac('sha256', signingKey).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  try {
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
      s?: unknown;
      k?: unknown;
    };
    if (parsed.s !== scope || !parsed.k || typeof parsed.k !== 'object') throw invalid();
    return parsed.k as Record<string, unknown>;
  } catch {
    throw invalid();
  }
}
