import type { HandlerGrants } from '#shared/grants/handler-grants.ts';
import type { HandlerAccess } from './handler-access.ts';

/**
 * The grants a handler's bundled code needs, in the shape handlers declare them: what
 * `handler-grants.test.ts` compares each declaration with. Table access is `write` as soon as a
 * bundled module builds a write command (module granularity: a module that both reads and writes
 * counts as writing).
 */
export function derivedGrants(access: HandlerAccess): HandlerGrants {
  const grants: HandlerGrants = {};
  if (access.table) grants.table = access.tableWrites ? 'write' : 'read';
  if (access.secrets) grants.secrets = true;
  if (access.sessionKeys) grants.sessionKeys = true;
  if (access.sendsEmail) grants.email = true;
  if (access.sendQueues.length > 0) grants.sendsTo = access.sendQueues;
  if (access.probeQueues.length > 0) grants.probesQueues = true;
  if (access.sendsToDeadLetterQueue) grants.deadLetters = true;
  if (access.knowledgeBucket) grants.knowledgeBucket = 'readWrite';
  if (access.exportsBucket) grants.exportsBucket = 'readWrite';
  if (access.recordingsBucket !== 'none') grants.recordingsBucket = access.recordingsBucket;
  if (access.lanceDb) grants.lanceDb = true;
  return grants;
}

/** Grants as one line of source (`{ table: 'write', sendsTo: ['webhooks'] }`), for error messages. */
export function grantsLiteral(grants: HandlerGrants): string {
  const parts = Object.entries(grants).map(([key, value]) =>
    Array.isArray(value)
      ? `${key}: [${value.map((v) => `'${v}'`).join(', ')}]`
      : `${key}: ${typeof value === 'string' ? `'${value}'` : String(value)}`,
  );
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}

/**
 * How a declaration differs from what the code needs, one line per grant: `undeclared` is used
 * by the code but missing from the declaration (it would fail at run time), `unused` is declared
 * but never used (more privilege than needed), `differs` has another level (`table: read` vs
 * `write`). Empty when they agree.
 */
export function grantDifferences(declared: HandlerGrants, derived: HandlerGrants): string[] {
  const differences: string[] = [];
  const keys = new Set([...Object.keys(declared), ...Object.keys(derived)] as (keyof HandlerGrants)[]);
  for (const key of keys) {
    const want = derived[key];
    const have = declared[key];
    if (key === 'sendsTo') {
      const wanted = (want as readonly string[] | undefined) ?? [];
      const had = (have as readonly string[] | undefined) ?? [];
      for (const queue of wanted) if (!had.includes(queue)) differences.push(`undeclared sendsTo '${queue}'`);
      for (const queue of had) if (!wanted.includes(queue)) differences.push(`unused sendsTo '${queue}'`);
    } else if (have === undefined) differences.push(`undeclared ${key}: ${String(want)}`);
    else if (want === undefined) differences.push(`unused ${key}: ${String(have)}`);
    else if (have !== want)
      differences.push(`differs ${key}: declared ${String(have)}, code needs ${String(want)}`);
  }
  return differences;
}
