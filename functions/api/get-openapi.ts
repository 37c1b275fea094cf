import { buildOpenApiDocument } from '#shared/api/openapi/openapi-document.ts';
import { env } from '#shared/config/env.ts';
import { httpHandler } from '../lib/http-handler.ts';

let document: ReturnType<typeof buildOpenApiDocument> | undefined;

/** GET /v1/openapi.json: built once per instance from the validation schemas. */
export const handler = httpHandler(
  async () => {
    document ??= buildOpenApiDocument({ serverUrl: env().PUBLIC_API_URL });
    return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
  },
  { auth: 'none' },
);
