import { renderDocsPage } from '#shared/api/openapi/docs-page.ts';
import { buildOpenApiDocument } from '#shared/api/openapi/openapi-document.ts';
import { env } from '#shared/config/env.ts';
import { httpHandler } from '../lib/http-handler.ts';

let page: string | undefined;

/** GET /docs: the API reference as a self-contained HTML page (no scripts, no CDN). */
export const handler = httpHandler(
  async () => {
    page ??= renderDocsPage(buildOpenApiDocument({ serverUrl: env().PUBLIC_API_URL }));
    return {
      status: 200,
      body: page,
      raw: true,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300' },
    };
  },
  { auth: 'none' },
);
