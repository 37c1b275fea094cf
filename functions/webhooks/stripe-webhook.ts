import { applyStripeEvent, parseStripeEvent } from '#shared/billing/stripe-billing-events.ts';
import { verifyStripeSignature } from '#shared/billing/stripe-signature.ts';
import { secrets } from '#shared/config/secrets.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { ValidationError } from '#shared/errors/app-error.ts';
import { httpHandler } from '../lib/http-handler.ts';

/**
 * POST /webhooks/stripe: verifies `Stripe-Signature` over the raw body (bad or stale → 400 and
 * nothing changes), then applies the event once (deduplicated on event.id). Unknown event types,
 * events without a usable object, v2 thin events and unknown customers are acknowledged with 200
 * so Stripe stops retrying them; a body that is not an event at all is a 400.
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
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody);
    } catch {
      throw new ValidationError('The event is not valid JSON.');
    }
    const parsed = parseStripeEvent(body);
    if (!parsed) throw new ValidationError('The body is not a Stripe event.');
    if (parsed.kind === 'thin') {
      // Thin events name an object to fetch; none changes a tenant's standing. Meter error reports
      // mean usage was refused by Stripe, which operators must see.
      const log = parsed.event.type.startsWith('v1.billing.meter.') ? logger.warn : logger.info;
      log.call(logger, 'stripe thin event acknowledged', {
        stripeEventId: parsed.event.id,
        eventType: parsed.event.type,
        relatedObjectId: parsed.event.relatedObjectId,
      });
      return { status: 200, body: { received: true, outcome: 'ignored' } };
    }
    const event = parsed.event;
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
