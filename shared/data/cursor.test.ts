import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/app-error.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

describe('pagination cursors', () => {
  const key = { pk: 'TENANT#ten_1', sk: 'CALL#call_2' };

  it('round-trips within the same scope', () => {
    const cursor = encodeCursor(key, 'calls:ten_1', 'k1') as string;
    expect(decodeCursor(cursor, 'calls:ten_1', 'k1')).toEqual(key);
  });

  it.each([
    ['another scope (another tenant)', (c: string) => decodeCursor(c, 'calls:ten_2', 'k1')],
    ['another signing key', (c: string) => decodeCursor(c, 'calls:ten_1', 'k2')],
    ['a tampered body', (c: string) => decodeCursor(`x${c}`, 'calls:ten_1', 'k1')],
    ['garbage', () => decodeCursor('not-a-cursor', 'calls:ten_1', 'k1')],
  ])('rejects %s with a validation error', (_name, decode) => {
    const cursor = encodeCursor(key, 'calls:ten_1', 'k1') as string;
    expect(() => decode(cursor)).toThrow(ValidationError);
  });

  it('has no cursor after the last page', () => {
    expect(encodeCursor(undefined, 's', 'k')).toBeNull();
    expect(decodeCursor(undefined, 's', 'k')).toBeUndefined();
  });
});
