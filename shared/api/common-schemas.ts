import { z } from 'zod';
import { stringRecordSchema } from '../json/json-schemas.ts';
import { ERROR_CODES } from './error-codes.ts';

/** `?limit=&cursor=` of every list endpoint. */
export const pageQueryShape = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .describe('Items per page, 1 to 100 (default 20).'),
  cursor: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe('The `nextCursor` of the previous page. Opaque and signed: a changed cursor is rejected.'),
};
export const PageQuerySchema = z.strictObject(pageQueryShape);

/** The envelope of every list: `{items, nextCursor}`; `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({
    items: z.array(item).describe('This page, in list order.'),
    nextCursor: z.string().nullable().describe('Pass as `?cursor=` to get the next page; null at the end.'),
  });
}

export const TimestampSchema = z.iso.datetime().describe('ISO-8601 UTC timestamp.');

export const MetadataSchema = stringRecordSchema({
  maxKeys: 32,
  maxKeyLength: 64,
  maxValueLength: 512,
}).describe('Your own key/value strings (at most 32 keys), returned as given.');

export const ErrorResponseSchema = z.strictObject({
  error: z
    .strictObject({
      code: z.enum(ERROR_CODES).describe('Stable machine-readable code.'),
      message: z.string().describe('Human-readable explanation.'),
      details: z.unknown().optional().describe('Field errors or the reason of a refusal.'),
      requestId: z.string().describe('Also in the `x-request-id` header; quote it in support requests.'),
    })
    .describe('What went wrong.'),
});
