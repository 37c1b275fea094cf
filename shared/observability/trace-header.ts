import { randomBytes } from 'node:crypto';

/**
 * An AWS X-Ray trace header (`X-Amzn-Trace-Id`, SQS `AWSTraceHeader`):
 * `Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex segment id>;Sampled=0|1`.
 */
export interface TraceHeader {
  root: string;
  parent?: string;
  sampled?: boolean;
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

/** Parses a header; anything malformed gives `undefined` (a bad header never breaks a request). */
export function parseTraceHeader(value: string | undefined | null): TraceHeader | undefined {
  if (!value || value.length > 256) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const root = fields.get('root');
  if (!root || !ROOT.test(root)) return undefined;
  const parent = fields.get('parent');
  const sampled = fields.get('sampled');
  return {
    root,
    ...(parent && SEGMENT_ID.test(parent) ? { parent } : {}),
    ...(sampled === '1' ? { sampled: true } : sampled === '0' ? { sampled: false } : {}),
  };
}

export function formatTraceHeader(header: TraceHeader): string {
  const parts = [`Root=${header.root}`];
  if (header.parent) parts.push(`Parent=${header.parent}`);
  if (header.sampled !== undefined) parts.push(`Sampled=${header.sampled ? 1 : 0}`);
  return parts.join(';');
}

/** A new trace id; its time part is the start of the trace, as X-Ray requires. */
export function newTraceId(nowMs: number = Date.now(), random: Buffer = randomBytes(12)): string {
  return `1-${Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0')}-${random.toString('hex')}`;
}

export function newSegmentId(random: Buffer = randomBytes(8)): string {
  return random.toString('hex');
}
