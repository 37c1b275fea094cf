import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MiddlewareStack } from '@smithy/types';

/**
 * The SDK's marshaller decides a value's DynamoDB type from `value.constructor`, and both it and
 * the unmarshaller build maps by assignment; so a client's map key `constructor` fails to store
 * (or, given `{"constructor":{"name":"String"}}`, stores the wrong type) and a key `__proto__` is
 * lost on the way in and out. Those keys (and any key starting with the marker, so the escape is
 * reversible) are stored with a `~~` prefix, and restored when items are read.
 */
const MARKER = '~~';
const RESERVED = new Set(['constructor', '__proto__']);

export function escapeMapKey(key: string): string {
  return RESERVED.has(key) || key.startsWith(MARKER) ? `${MARKER}${key}` : key;
}

export function restoreMapKey(key: string): string {
  return key.startsWith(MARKER) ? key.slice(MARKER.length) : key;
}

function isPlainRecord(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => mapKeys(item, rename));
  // Sets, binary values and NumberValue keep their own types; only plain maps carry client keys.
  if (!isPlainRecord(value)) return value;
  // fromEntries defines own properties, so a `__proto__` key stays a key.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [rename(key), mapKeys(item, rename)]));
}

/** Every map key of a document-client value, escaped for storage. Pure. */
export function escapeMapKeys<T>(value: T): T {
  return mapKeys(value, escapeMapKey) as T;
}

/** The inverse of `escapeMapKeys`, for what the document client read. Pure. */
export function restoreMapKeys<T>(value: T): T {
  return mapKeys(value, restoreMapKey) as T;
}

const MIDDLEWARE_NAME = 'aiCallerMapKeyEscaping';

/** Escapes every command's input and restores every output, around the SDK's (un)marshalling. */
export function addMapKeyEscaping(doc: DynamoDBDocumentClient): void {
  doc.middlewareStack.add(
    (next) => async (args) => {
      const result = await next({ ...args, input: escapeMapKeys(args.input) });
      return { ...result, output: restoreMapKeys(result.output) };
    },
    { step: 'initialize', name: MIDDLEWARE_NAME, override: true },
  );
}

/**
 * Leaves one command out of the escaping: for low-level (AttributeValue) commands over items the
 * platform names itself, where the deep copy of every attribute would be the read's main cost.
 */
export function withoutMapKeyEscaping<I extends object, O extends object>(command: {
  middlewareStack: MiddlewareStack<I, O>;
}): void {
  command.middlewareStack.add((next) => (args) => next(args), {
    step: 'initialize',
    name: MIDDLEWARE_NAME,
    override: true,
  });
}
