import { z } from 'zod';
import { TimestampSchema } from './common-schemas.ts';

export const ScopeSchema = z
  .enum(['admin', 'read', 'write'])
  .describe('`read`: GET only; `write`: everything but key management; `admin`: everything.');

export const CreateApiKeyBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100).describe('What the key is for, to tell keys apart.'),
  scopes: z.array(ScopeSchema).min(1).max(3).default(['write']).describe('What the key may do.'),
  requestsPerSecond: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe("This key's own request rate cap; the account's limit applies as well."),
});

export const ApiKeySchema = z.strictObject({
  id: z.string().describe('`key_…`'),
  name: z.string().describe('What the key is for.'),
  scopes: z.array(ScopeSchema).describe('What the key may do.'),
  prefix: z.string().describe('The first characters of the secret, to tell keys apart.'),
  requestsPerSecond: z.number().int().optional().describe("This key's own request rate cap."),
  createdAt: TimestampSchema,
  lastUsedAt: TimestampSchema.optional().describe('Refreshed at most once a minute.'),
});

/** The only response that carries the secret: shown once, stored as a hash. */
export const CreatedApiKeySchema = ApiKeySchema.extend({
  secret: z.string().describe('The key itself. Store it now: it is never shown again.'),
});
