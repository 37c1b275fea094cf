import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAccessToken, signMfaToken, verifyAccessToken, verifyMfaToken } from './session-tokens.ts';
import { createKeyringSource } from './signing-keys.ts';

const secret = () => randomBytes(32).toString('base64url');
const claims = { userId: 'usr_1', tenantId: 'ten_1', sessionId: 'ses_1', csrf: 'c' };

describe('session tokens', () => {
  it('carries the signing kid and verifies with the keyring', async () => {
    const source = createKeyringSource({ json: JSON.stringify({ current: 'k1', k1: secret() }) });
    const { token } = await signAccessToken(await source.get(), claims);
    expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid).toBe('k1');
    await expect(verifyAccessToken(source, token)).resolves.toEqual(claims);
  });

  it('rotation: tokens of the old kid verify until the kid is retired', async () => {
    const k1 = secret();
    const k2 = secret();
    const before = createKeyringSource({ json: JSON.stringify({ current: 'k1', k1 }) });
    const old = (await signAccessToken(await before.get(), claims)).token;
    const rotated = createKeyringSource({ json: JSON.stringify({ current: 'k2', k2, k1 }) });
    const fresh = (await signAccessToken(await rotated.get(), claims)).token;
    await expect(verifyAccessToken(rotated, old)).resolves.toEqual(claims);
    await expect(verifyAccessToken(rotated, fresh)).resolves.toEqual(claims);
    const retired = createKeyringSource({ json: JSON.stringify({ current: 'k2', k2 }) });
    await expect(verifyAccessToken(retired, old)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(verifyAccessToken(retired, fresh)).resolves.toEqual(claims);
  });

  it.each([
    [
      'expired',
      async (s: ReturnType<typeof createKeyringSource>) =>
        (await signAccessToken(await s.get(), claims, Date.now() - 16 * 60_000)).token,
    ],
    [
      'an MFA token used as an access token',
      async (s: ReturnType<typeof createKeyringSource>) => signMfaToken(await s.get(), claims),
    ],
    ['garbage', async () => 'a.b.c'],
    ['an API key', async () => 'sk_abc'],
    [
      'tampered',
      async (s: ReturnType<typeof createKeyringSource>) =>
        `${(await signAccessToken(await s.get(), claims)).token}x`,
    ],
  ])('refuses %s', async (_name, make) => {
    const source = createKeyringSource({ json: JSON.stringify({ current: 'k1', k1: secret() }) });
    await expect(verifyAccessToken(source, await make(source))).rejects.toMatchObject({
      code: 'invalid_token',
    });
  });

  it('MFA tokens live five minutes', async () => {
    const source = createKeyringSource({ json: JSON.stringify({ current: 'k1', k1: secret() }) });
    const token = await signMfaToken(await source.get(), claims, 0);
    await expect(verifyMfaToken(source, token, 299_000)).resolves.toEqual({
      userId: 'usr_1',
      tenantId: 'ten_1',
    });
    await expect(verifyMfaToken(source, token, 301_000)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('refuses a keyring whose current key is short or missing', () => {
    return expect(createKeyringSource({ json: '{"current":"k1","k1":"short"}' }).get()).rejects.toMatchObject(
      {
        code: 'unavailable',
      },
    );
  });
});
