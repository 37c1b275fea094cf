import { applyStripeEvent, parseStripeEvent } from '#shared/billing/stripe-billing-events.ts';
import { verifyStripeSignature } from '#shared/billing/stripe-signature.ts';
import { secrets } from '#shared/config/secrets.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { ValidationError } from '#shared/errors/app-error.ts';
import { httpHandler } from '../lib/http-handler.ts';

/**
 * POST /webhooks/stripe: verifies `Stripe-Signature` over the raw body (bad or stale → 400 and
 * nothing changes), then applies the event once (deduplicated on event.id). Unknown event types
 * and unknown customers are acknowledged with 200 so Stripe stops retrying them.
 */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const secret = await secrets().require('STRIPE_WEBHOOK_SECRET');
    const check = verifyStripeSignature(request.headers['stripe-signature'], request.rawBody, secret);
    if (!check.ok) {
      logger.warn('stripe signature rejected', { problem: check.problem });
      throw new ValidationError('The Stripe-Signature header is missing, invalid or too old.', {
        details: { reason: `signature_${check.problem}` },
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.rawBody);
    } catch {
      throw new ValidationError('The event is not valid JSON.');
    }
    const event = parseStripeEvent(parsed);
    if (!event) throw new ValidationError('The body is not a Stripe event.');
    const { outcome, tenantIds } = await applyStripeEvent(dbFromEnv(), event);
    logger.info('stripe event handled', {
      stripeEventId: event.id,
      eventType: event.type,
      outcome,
      tenantIds,
    });
    return { status: 200, body: { received: true, outcome } };
  },
  { auth: 'signature' },
);
