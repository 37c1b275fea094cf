import { type ApiOperation, WRITE_ERRORS, apiGrants } from '../api/openapi/operation-types.ts';
import { CreatedWebCallSchema, CreateWebCallSchema } from './web-call-schema.ts';

/** `POST /v1/web-calls` for the OpenAPI document (the route is in `WEB_CALL_ROUTES`). */
export const WEB_CALL_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'POST',
    path: '/v1/web-calls',
    operationId: 'createWebCall',
    handler: 'create-web-call',
    grants: apiGrants({ sendsTo: ['summaries', 'usage', 'webhooks', 'campaignOutcomes'] }),
    tag: 'Calls',
    auth: 'apiKey',
    summary: 'Create a browser call link',
    description:
      'Admits a call with provider `web` (billing hold → 403, call rate or concurrent-call cap → 429 with `details.reason`), stored as `queued`, and returns a short-lived, single-use link to the call page. The browser never sees an API key. A link nobody opens before it expires ends the call as `canceled` (`endReason: not_joined`).',
    body: CreateWebCallSchema,
    success: { status: 201, description: 'The call link.', schema: CreatedWebCallSchema },
    errors: [...WRITE_ERRORS, 'not_found'],
  },
];
