import { z } from 'zod';
import { stringRecordSchema } from '../json/json-schemas.ts';

/** `POST /v1/web-calls` body. Metadata is stored on the call and passed to webhooks as is. */
export const CreateWebCallSchema = z.strictObject({
  agentId: z.string().min(1).max(64).describe('The agent the browser talks to.'),
  metadata: stringRecordSchema({ maxKeys: 20, maxKeyLength: 64, maxValueLength: 512 })
    .optional()
    .describe('Your own key/value strings (at most 20 keys), stored on the call.'),
  expiresInSeconds: z
    .number()
    .int()
    .min(30)
    .max(900)
    .optional()
    .describe('How long the link stays valid before a browser connects (30 s to 15 min; default 5 min).'),
});
export type CreateWebCallInput = z.output<typeof CreateWebCallSchema>;

/** `201` body of `POST /v1/web-calls`. */
export const CreatedWebCallSchema = z.strictObject({
  callId: z.string().describe('The call (`call_…`) the link starts.'),
  token: z.string().describe('Single-use stream token; it is also in both URLs.'),
  expiresAt: z.iso.datetime().describe('The link must be opened (the call started) before this.'),
  url: z.url().describe('The call page: open it or embed it in an iframe with allow="microphone".'),
  websocketUrl: z.url().describe('The `/web` WebSocket, for clients that speak the protocol themselves.'),
});
