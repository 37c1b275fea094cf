import { describe, expect, it } from 'vitest';
import {
  embeddedIpv4,
  outboundPolicyFor,
  refusedAddress,
  refusedUrl,
  resolveAllowed,
} from './outbound-target.ts';

const deployed = { allowPrivate: false };
const local = { allowPrivate: true };

describe('refusedAddress', () => {
  it.each([
    ['169.254.169.254', 'forbidden_address', 'forbidden_address'],
    ['169.254.170.2', 'forbidden_address', 'forbidden_address'],
    ['0.0.0.0', 'forbidden_address', 'forbidden_address'],
    ['fd00:ec2::254', 'forbidden_address', 'forbidden_address'],
    ['fe80::1', 'forbidden_address', 'forbidden_address'],
    ['::', 'forbidden_address', 'forbidden_address'],
    ['::ffff:169.254.169.254', 'forbidden_address', 'forbidden_address'],
    ['::ffff:a9fe:a9fe', 'forbidden_address', 'forbidden_address'],
    ['64:ff9b::a9fe:a9fe', 'forbidden_address', 'forbidden_address'],
    ['2002:a9fe:a9fe::1', 'forbidden_address', 'forbidden_address'],
    ['100.100.100.200', 'forbidden_address', 'forbidden_address'],
    ['224.0.0.1', 'forbidden_address', 'forbidden_address'],
    ['255.255.255.255', 'forbidden_address', 'forbidden_address'],
    ['127.0.0.1', 'private_address', undefined],
    ['10.1.2.3', 'private_address', undefined],
    ['172.20.0.5', 'private_address', undefined],
    ['192.168.1.1', 'private_address', undefined],
    ['100.64.0.1', 'private_address', undefined],
    ['::1', 'private_address', undefined],
    ['fd12::1', 'private_address', undefined],
    ['::ffff:10.0.0.1', 'private_address', undefined],
    ['::ffff:7f00:1', 'private_address', undefined],
    ['8.8.8.8', undefined, undefined],
    ['172.32.0.1', undefined, undefined],
    ['2606:4700::1111', undefined, undefined],
    ['::ffff:8.8.8.8', undefined, undefined],
    ['not-an-ip', 'forbidden_address', 'forbidden_address'],
  ])('%s → %s deployed, %s locally', (address, whenDeployed, whenLocal) => {
    expect(refusedAddress(address, deployed)).toBe(whenDeployed);
    expect(refusedAddress(address, local)).toBe(whenLocal);
  });
});

describe('refusedUrl', () => {
  it.each([
    ['https://hooks.example/ai-caller', undefined, undefined],
    ['http://169.254.169.254/latest/meta-data/', 'forbidden_address', 'forbidden_address'],
    ['http://2852039166/', 'forbidden_address', 'forbidden_address'],
    ['http://0xA9.0xFE.0xA9.0xFE/', 'forbidden_address', 'forbidden_address'],
    ['http://0251.0376.0251.0376/', 'forbidden_address', 'forbidden_address'],
    ['http://169.254.43518/', 'forbidden_address', 'forbidden_address'],
    ['http://[::ffff:169.254.169.254]/', 'forbidden_address', 'forbidden_address'],
    ['http://[fd00:ec2::254]/latest', 'forbidden_address', 'forbidden_address'],
    ['http://0/', 'forbidden_address', 'forbidden_address'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'forbidden_address', 'forbidden_address'],
    ['http://2130706433:8080/', 'private_address', undefined],
    ['http://localhost:8080/', 'private_address', undefined],
    ['http://api.localhost/', 'private_address', undefined],
    ['http://[::1]/x', 'private_address', undefined],
    ['ftp://hooks.example/x', 'unsupported_scheme', 'unsupported_scheme'],
    ['file:///etc/passwd', 'unsupported_scheme', 'unsupported_scheme'],
    ['https://user:pw@hooks.example/', 'credentials_in_url', 'credentials_in_url'],
    ['not a url', 'invalid_url', 'invalid_url'],
  ])('%s → %s deployed, %s locally', (url, whenDeployed, whenLocal) => {
    expect(refusedUrl(url, deployed)).toBe(whenDeployed);
    expect(refusedUrl(url, local)).toBe(whenLocal);
  });
});

describe('resolveAllowed', () => {
  const resolve = async (host: string) =>
    host === 'rebind.example'
      ? [
          { address: '93.184.215.14', family: 4 },
          { address: '169.254.169.254', family: 4 },
        ]
      : [{ address: '93.184.215.14', family: 4 }];

  it('refuses a name when any of its addresses is refused', async () => {
    expect((await resolveAllowed('rebind.example', local, resolve)).refused).toBe('forbidden_address');
    expect(await resolveAllowed('hooks.example', deployed, resolve)).toEqual({
      addresses: [{ address: '93.184.215.14', family: 4 }],
    });
  });
});

describe('outboundPolicyFor', () => {
  it.each([
    [{ STAGE: 'local' }, true],
    [{ STAGE: 'local', OUTBOUND_ALLOW_PRIVATE_TARGETS: 'false' as const }, false],
    [{ STAGE: 'local', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' as const }, false],
    [{ STAGE: 'prod' }, false],
    [{ STAGE: 'prod', OUTBOUND_ALLOW_PRIVATE_TARGETS: 'true' as const }, false],
  ])('%o → allowPrivate %s', (env, allowPrivate) => {
    expect(outboundPolicyFor(env).allowPrivate).toBe(allowPrivate);
  });

  it('reads IPv4 inside IPv6', () => {
    expect(embeddedIpv4('::ffff:a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIpv4('2606:4700::1111')).toBeUndefined();
  });
});
