import { describe, expect, it } from 'vitest';
import { blockedTargetReason, isNonPublicAddress } from './target-guard.ts';

describe('isNonPublicAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.5', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:10.0.0.1', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['2606:4700::1111', false],
    ['::ffff:8.8.8.8', false],
    ['not-an-ip', true],
  ])('%s → %s', (address, expected) => expect(isNonPublicAddress(address)).toBe(expected));
});

describe('blockedTargetReason', () => {
  const resolve = async (host: string) => (host === 'internal.example' ? ['10.0.0.7'] : ['93.184.215.14']);

  it.each([
    ['https://hooks.example/ai-caller', false, undefined],
    ['https://internal.example/x', false, 'non_public_address'],
    ['http://127.0.0.1:8080/x', false, 'non_public_address'],
    ['http://[::1]/x', false, 'non_public_address'],
    ['http://169.254.169.254/latest/meta-data', false, 'non_public_address'],
    ['http://127.0.0.1:8080/x', true, undefined],
    ['ftp://hooks.example/x', false, 'unsupported_scheme'],
    ['not a url', false, 'invalid_url'],
  ])('%s (allowPrivate %s) → %s', async (url, allowPrivate, expected) => {
    expect(await blockedTargetReason(url, { allowPrivate, resolve })).toBe(expected);
  });
});
