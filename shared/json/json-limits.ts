/**
 * Limits on free-form JSON a client stores (tool parameter schemas, summary schemas). DynamoDB
 * refuses items nested deeper than 32 levels; an agent item already spends three levels above a
 * tool's `parameters`, so 16 keeps every stored document well inside the limit.
 */
export const MAX_JSON_DEPTH = 16;

/** Nesting depth of a JSON value: a scalar is 0, `{}` and `[]` are 1. Stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  if (value === null || typeof value !== 'object') return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value as Record<string, unknown>)) {
    deepest = Math.max(deepest, jsonDepth(child, limit - 1));
    if (deepest > limit) break;
  }
  return deepest + 1;
}

/** Size of the value as JSON text, in UTF-8 bytes. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** A JSON object (not an array, not null): what JSON.parse gives for `{…}`. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
