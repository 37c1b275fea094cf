import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The one outbound-target policy for every request the platform makes on a tenant's behalf
 * (customer webhooks, agents' HTTP tools, the crawler). Tenants choose these URLs and the
 * requests leave from inside the platform's network, so:
 * - cloud metadata and link-local addresses (169.254.0.0/16 with 169.254.169.254 and the ECS
 *   credentials endpoint 169.254.170.2, fd00:ec2::254, fe80::/10), "this host" (0.0.0.0/8, ::),
 *   multicast and reserved ranges are refused in every stage;
 * - private, loopback and shared ranges only where `allowPrivate` holds (STAGE=local).
 * IPv4 written as one number or in octal/hex is normalised by the URL parser; IPv4 inside IPv6
 * (mapped, compatible, NAT64, 6to4) is judged as the IPv4 address it carries.
 */
export interface OutboundPolicy {
  allowPrivate: boolean;
}

/** Stable reasons a target is refused. */
export type OutboundRefusal =
  | 'invalid_url'
  | 'unsupported_scheme'
  | 'credentials_in_url'
  | 'forbidden_address'
  | 'private_address';

type AddressClass = 'public' | 'private' | 'forbidden';

function blockList(v4: [string, number][], v6: [string, number][]): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of v4) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of v6) list.addSubnet(network, prefix, 'ipv6');
  return list;
}

const FORBIDDEN = blockList(
  [
    ['0.0.0.0', 8],
    ['169.254.0.0', 16],
    ['100.100.100.200', 32], // Alibaba Cloud metadata (inside 100.64.0.0/10)
    ['192.0.0.192', 32], // Oracle Cloud metadata
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ],
  [
    ['::', 128],
    ['fe80::', 10],
    ['fd00:ec2::254', 128], // AWS metadata over IPv6 (inside fc00::/7)
    ['ff00::', 8],
  ],
);

const PRIVATE = blockList(
  [
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
  ],
  [
    ['::1', 128],
    ['fc00::', 7],
    ['2001:db8::', 32],
  ],
);

/** Host names that are metadata services or this machine, whatever DNS says. */
const FORBIDDEN_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'instance-data.ec2.internal']);
const isLocalName = (name: string) => name === 'localhost' || name.endsWith('.localhost');

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const zeros = tail === undefined ? [] : new Array(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, SIIT, NAT64, 6to4), if any. */
export function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (!g) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6] as number, g[7] as number); // ::ffff:a.b.c.d
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6] as number, g[7] as number); // SIIT
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6] as number, g[7] as number); // NAT64
  if (g[0] === 0x2002) return v4(g[1] as number, g[2] as number); // 6to4
  if (zero(0, 6) && (g[6] !== 0 || (g[7] as number) > 1)) return v4(g[6] as number, g[7] as number); // ::a.b.c.d
  return undefined;
}

function classify(address: string): AddressClass {
  const family = isIP(address);
  if (family === 0) return 'forbidden';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (FORBIDDEN.check(address, type)) return 'forbidden';
  const inner = family === 6 ? embeddedIpv4(address) : undefined;
  const innerClass = inner ? classify(inner) : 'public';
  if (innerClass === 'forbidden') return 'forbidden';
  if (PRIVATE.check(address, type) || innerClass === 'private') return 'private';
  return 'public';
}

/** Why a connection to this resolved address must not be made, or undefined when it may. */
export function refusedAddress(address: string, policy: OutboundPolicy): OutboundRefusal | undefined {
  const kind = classify(address.replace(/%.*$/, ''));
  if (kind === 'forbidden') return 'forbidden_address';
  if (kind === 'private' && !policy.allowPrivate) return 'private_address';
  return undefined;
}

/**
 * Checks a URL without DNS: scheme, embedded credentials, IP literals in any spelling, and
 * names that are metadata services or this machine. Used when a URL is saved (the name may not
 * resolve yet) and before every request; the resolved addresses are checked at connect time.
 */
export function refusedUrl(url: string | URL, policy: OutboundPolicy): OutboundRefusal | undefined {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return 'invalid_url';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'unsupported_scheme';
  if (parsed.username || parsed.password) return 'credentials_in_url';
  const host = parsed.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (isIP(host)) return refusedAddress(host, policy);
  if (FORBIDDEN_NAMES.has(host)) return 'forbidden_address';
  if (isLocalName(host) && !policy.allowPrivate) return 'private_address';
  return undefined;
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;
export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Resolves a name and checks every address it has (any refused address refuses the target, so
 * round-robin DNS cannot slip one through). Returns the addresses to connect to.
 */
export async function resolveAllowed(
  hostname: string,
  policy: OutboundPolicy,
  resolve: Resolver = systemResolver,
): Promise<{ addresses: { address: string; family: number }[]; refused?: OutboundRefusal }> {
  const addresses = isIP(hostname)
    ? [{ address: hostname, family: isIP(hostname) }]
    : await resolve(hostname);
  for (const { address } of addresses) {
    const refused = refusedAddress(address, policy);
    if (refused) return { addresses: [], refused };
  }
  return { addresses };
}

/**
 * The policy for this deployment: private targets only in the local stage, where
 * `OUTBOUND_ALLOW_PRIVATE_TARGETS=false` (or the older `WEBHOOK_ALLOW_PRIVATE_TARGETS=false`)
 * refuses them too. No setting allows them in a deployed stage.
 */
export function outboundPolicyFor(env: {
  STAGE: string;
  OUTBOUND_ALLOW_PRIVATE_TARGETS?: 'true' | 'false';
  WEBHOOK_ALLOW_PRIVATE_TARGETS?: 'true' | 'false';
}): OutboundPolicy {
  const setting = env.OUTBOUND_ALLOW_PRIVATE_TARGETS ?? env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
  return { allowPrivate: env.STAGE === 'local' && setting !== 'false' };
}

/**
 * The refusal for a URL under `policy`, checked on the URL and on every address its name
 * resolves to (a name that does not resolve is left to the request itself to fail).
 */
export async function refusedTarget(
  url: string,
  policy: OutboundPolicy,
  resolve: Resolver = systemResolver,
): Promise<OutboundRefusal | undefined> {
  const refused = refusedUrl(url, policy);
  if (refused) return refused;
  const hostname = new URL(url).hostname.replace(/^\[|\]$/g, '');
  try {
    return (await resolveAllowed(hostname, policy, resolve)).refused;
  } catch {
    return undefined;
  }
}
