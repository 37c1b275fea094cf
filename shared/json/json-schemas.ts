import { z } from 'zod';
import { isJsonObject, jsonBytes, jsonDepth, MAX_JSON_DEPTH } from './json-limits.ts';

/**
 * Zod schemas for client-owned JSON. They return the client's object itself rather than a copy:
 * zod's records drop a `__proto__` key, and any key a client sends must round-trip. Built on
 * `z.unknown()` (checked by refinement) so they convert to JSON Schema like any other field.
 */
function jsonObjectOf<T extends Record<string, unknown>>(
  message: string,
  check: (value: T, ctx: z.RefinementCtx) => void,
): z.ZodType<T, unknown> {
  return z.unknown().superRefine((value, ctx) => {
    if (!isJsonObject(value)) ctx.addIssue({ code: 'custom', message });
    else check(value as T, ctx);
  }) as unknown as z.ZodType<T, unknown>;
}

/** A free-form JSON object (a JSON Schema, say) with a nesting and a size limit. */
export function jsonObjectSchema(options: { maxKilobytes: number; maxDepth?: number; description?: string }) {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  return jsonObjectOf<Record<string, unknown>>('expected a JSON object', (value, ctx) => {
    if (jsonDepth(value, maxDepth) > maxDepth) {
      ctx.addIssue({ code: 'custom', message: `nested more than ${maxDepth} levels deep` });
      return;
    }
    if (jsonBytes(value) > options.maxKilobytes * 1024) {
      ctx.addIssue({ code: 'custom', message: `larger than ${options.maxKilobytes} KB as JSON` });
    }
  }).meta({
    type: 'object',
    additionalProperties: true,
    description:
      options.description ??
      `A JSON object, at most ${maxDepth} levels deep and ${options.maxKilobytes} KB as JSON.`,
  });
}

/** Client key/value strings (call metadata): every key kept, each checked, issues name the key. */
export function stringRecordSchema(options: {
  maxKeys: number;
  maxKeyLength: number;
  maxValueLength: number;
}) {
  const { maxKeys, maxKeyLength, maxValueLength } = options;
  return jsonObjectOf<Record<string, string>>('expected an object of strings', (value, ctx) => {
    const entries = Object.entries(value);
    if (entries.length > maxKeys) ctx.addIssue({ code: 'custom', message: `at most ${maxKeys} keys` });
    for (const [key, item] of entries) {
      if (key.length < 1 || key.length > maxKeyLength) {
        ctx.addIssue({ code: 'custom', message: `keys are 1 to ${maxKeyLength} characters`, path: [key] });
      }
      if (typeof item !== 'string') {
        ctx.addIssue({ code: 'custom', message: 'expected a string', path: [key] });
      } else if (item.length > maxValueLength) {
        ctx.addIssue({ code: 'custom', message: `at most ${maxValueLength} characters`, path: [key] });
      }
    }
  }).meta({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: maxValueLength },
    maxProperties: maxKeys,
  });
}
