import { randomBytes } from 'node:crypto';

/** Id prefixes: every public id says what it is. */
export const ID_PREFIX = {
  tenant: 'ten',
  apiKey: 'key',
  agent: 'agt',
  phoneNumber: 'num',
  call: 'call',
  note: 'note',
  escalation: 'esc',
  event: 'evt',
  webhookDelivery: 'whd',
  request: 'req',
  knowledgeBase: 'kb',
  knowledgeSource: 'src',
  knowledgeSync: 'sync',
  user: 'usr',
  invitation: 'inv',
  session: 'ses',
  auditEvent: 'aud',
  export: 'exp',
  backfill: 'bf',
  campaign: 'cmp',
  contactImport: 'imp',
} as const;
export type IdKind = keyof typeof ID_PREFIX;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.slice(0, 16);
}

/**
 * A ULID after a type prefix (`call_01J…`). The time part makes ids sort by creation, which lets
 * lists come newest-first straight from a DynamoDB sort key and `since`/`until` become key ranges.
 */
export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  return `${ID_PREFIX[kind]}_${encodeTime(nowMs)}${encodeRandom(randomBytes(10))}`;
}

/** The smallest (`min`) or largest (`max`) id of a kind that could be created at `ms`: range bounds. */
export function idBoundAt(kind: IdKind, ms: number, edge: 'min' | 'max'): string {
  return `${ID_PREFIX[kind]}_${encodeTime(Math.max(0, ms))}${(edge === 'min' ? '0' : 'Z').repeat(16)}`;
}

export function hasPrefix(id: string, kind: IdKind): boolean {
  return new RegExp(`^${ID_PREFIX[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`).test(id);
}
