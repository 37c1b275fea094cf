import { secrets } from '#shared/config/secrets.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { rotateWebhookSecret, ROTATION_GRACE_SECONDS } from '#shared/webhooks/secret-store.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { tenantIdOf } from '../lib/route-helpers.ts';

/**
 * POST /v1/webhook-secret/rotate: a new signing secret, shown only in this response. The previous
 * one keeps signing (as a second signature) for 24 h so receivers can switch without losing events.
 * Admin scope only, like key management: whoever holds the secret can forge the platform's events.
 */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const tenantId = tenantIdOf(request);
    const rotated = await rotateWebhookSecret(
      dbFromEnv(),
      tenantId,
      await secrets().require('INTERNAL_SIGNING_KEY'),
    );
    logger.info('webhook secret rotated', { hadPrevious: Boolean(rotated.previousSecretExpiresAt) });
    return {
      status: 201,
      headers: { 'cache-control': 'no-store' },
      body: {
        secret: rotated.secret,
        createdAt: rotated.createdAt,
        previousSecretExpiresAt: rotated.previousSecretExpiresAt ?? null,
        previousSecretGraceSeconds: rotated.previousSecretExpiresAt ? ROTATION_GRACE_SECONDS : 0,
      },
    };
  },
  { auth: 'apiKey', scope: 'admin' },
);
