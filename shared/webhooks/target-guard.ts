import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Customer webhook URLs are chosen by tenants, and deliveries leave from inside the platform's
 * network: a URL that resolves to loopback, private, link-local (cloud metadata) or other
 * non-public ranges would let a tenant probe internal services. Such targets are refused unless
 * explicitly allowed (local development). Checked on every attempt, since DNS can change.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv6');

export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address in disguise.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    return mapped ? BLOCKED.check(mapped, 'ipv4') : BLOCKED.check(address, 'ipv6');
  }
  return true;
}

export type Resolver = (hostname: string) => Promise<string[]>;
const resolveAll: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true })).map((a) => a.address);

/** Why a target must not be called, or undefined when it may. */
export async function blockedTargetReason(
  url: string,
  options: { allowPrivate: boolean; resolve?: Resolver },
): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'invalid_url';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'unsupported_scheme';
  if (options.allowPrivate) return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await (options.resolve ?? resolveAll)(host);
  } catch {
    return undefined; // unresolvable now: the attempt fails as a connection error and is retried
  }
  return addresses.some(isNonPublicAddress) ? 'non_public_address' : undefined;
}
