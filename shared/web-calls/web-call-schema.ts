import { z } from 'zod';

/** `POST /v1/web-calls` body. Metadata is stored on the call and passed to webhooks as is. */
export const CreateWebCallSchema = z.strictObject({
  agentId: z.string().min(1).max(64),
  metadata: z
    .record(z.string().min(1).max(64), z.string().max(512))
    .refine((value) => Object.keys(value).length <= 20, 'at most 20 keys')
    .optional(),
  /** How long the link stays valid before a browser connects (30 s to 15 min; default 5 min). */
  expiresInSeconds: z.number().int().min(30).max(900).optional(),
});
export type CreateWebCallInput = z.output<typeof CreateWebCallSchema>;
