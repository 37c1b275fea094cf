import { AppError, UnavailableError } from '../errors/app-error.ts';

export interface StripeConfig {
  apiKey: string;
  /** `https://api.stripe.com` in production, a local fake in tests. */
  baseUrl: string;
  timeoutMs?: number;
}

export interface MeterEvent {
  eventName: string;
  stripeCustomerId: string;
  value: number;
  /** Unique per usage (the call id): Stripe ignores a repeated identifier within 24 h. */
  identifier: string;
  /** Epoch seconds of the usage. */
  timestamp: number;
}

/** A Stripe API error; `retryable` for 429 and 5xx, like Stripe's own client. */
export class StripeApiError extends AppError {
  readonly httpStatus: number;
  readonly stripeCode?: string;
  /** A 4xx other than 429: the request itself is wrong, retrying cannot help. */
  readonly permanent: boolean;
  constructor(httpStatus: number, message: string, stripeCode?: string) {
    const retryable = httpStatus === 429 || httpStatus >= 500;
    super(retryable ? 'unavailable' : 'internal', `Stripe: ${message}`, { retryable });
    this.name = 'StripeApiError';
    this.permanent = !retryable;
    this.httpStatus = httpStatus;
    this.stripeCode = stripeCode;
  }
}

/**
 * The API version the meter-event calls were written against (Billing Meters are the only usage
 * API since 2025-03-31.basil). Pinned so behaviour never follows the account's default version.
 */
export const STRIPE_API_VERSION = '2025-03-31.basil';

/** Stripe accepts events at most 35 days old and 5 minutes ahead; clamp to that window. */
export function meterTimestamp(usageAt: Date, now: Date): number {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const at = Math.floor(usageAt.getTime() / 1000);
  return Math.min(nowSeconds, Math.max(at, nowSeconds - 34 * 86_400));
}

/**
 * Reports usage with `POST /v1/billing/meter_events` (form-encoded; payload values are strings).
 * The identifier doubles as the Idempotency-Key, so a retry after a lost response is harmless
 * (and Stripe also ignores a repeated identifier within 24 h).
 */
export async function sendMeterEvent(
  config: StripeConfig,
  event: MeterEvent,
): Promise<{ identifier: string }> {
  const form = new URLSearchParams({
    event_name: event.eventName,
    'payload[stripe_customer_id]': event.stripeCustomerId,
    'payload[value]': String(event.value),
    identifier: event.identifier,
    timestamp: String(event.timestamp),
  });
  let response: Response;
  try {
    response = await fetch(`${config.baseUrl.replace(/\/$/, '')}/v1/billing/meter_events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${config.apiKey}`,
        'content-type': 'application/x-www-form-urlencoded',
        'idempotency-key': event.identifier,
        'stripe-version': STRIPE_API_VERSION,
      },
      body: form,
      signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new UnavailableError('Stripe could not be reached.', { cause: error });
  }
  const body = (await response.json().catch(() => ({}))) as {
    identifier?: string;
    error?: { message?: string; code?: string };
  };
  if (!response.ok) {
    throw new StripeApiError(
      response.status,
      body.error?.message ?? `HTTP ${response.status}`,
      body.error?.code,
    );
  }
  return { identifier: body.identifier ?? event.identifier };
}
