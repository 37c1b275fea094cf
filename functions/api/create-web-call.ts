import { env } from '#shared/config/env.ts';
import { secrets } from '#shared/config/secrets.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { parseOrThrow } from '#shared/errors/zod-error.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { publishUnjoinedEnded } from '#shared/web-calls/cancel-unjoined-web-calls.ts';
import { createWebCall } from '#shared/web-calls/create-web-call.ts';
import { CreatedWebCallSchema, CreateWebCallSchema } from '#shared/web-calls/web-call-schema.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { jsonBody } from '../lib/parse-request.ts';

/**
 * POST /v1/web-calls: admits a browser call for one of the tenant's agents and returns a
 * short-lived, single-use link to it. The browser gets the link, never the API key.
 */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const input = parseOrThrow(CreateWebCallSchema, jsonBody(request));
    const tenantId = request.auth?.tenantId as string;
    const created = await createWebCall(
      dbFromEnv(),
      { tenantId, agentId: input.agentId, metadata: input.metadata, ttlSeconds: input.expiresInSeconds },
      { signingKey: await secrets().require('INTERNAL_SIGNING_KEY'), publicMediaUrl: env().PUBLIC_MEDIA_URL },
    );
    if (created.canceledUnjoined.length > 0) {
      // The sweep already released their slots; a lost event must not refuse this new call.
      await publishUnjoinedEnded(sqsFromEnv(), queueUrlsFromEnv(), created.canceledUnjoined).catch((err) =>
        logger.error('call.ended publish failed for unjoined web calls', { err }),
      );
    }
    logger.info('web call created', { callId: created.call.id, agentId: created.call.agentId });
    return {
      status: 201,
      body: CreatedWebCallSchema.parse({
        callId: created.call.id,
        token: created.token,
        expiresAt: created.expiresAt,
        url: created.url,
        websocketUrl: created.websocketUrl,
      }),
    };
  },
  { auth: 'apiKey' },
);
