import type { SQSEvent } from 'aws-lambda';
import { countEscalations, endedCallAnalyticsItems, timeZoneOf } from '#shared/analytics/call-analytics.ts';
import { priceTable } from '#shared/billing/price-table.ts';
import { meterTimestamp, sendMeterEvent } from '#shared/billing/stripe-meter-client.ts';
import { buildUsageRecord, type UsageRecord } from '#shared/billing/usage-record.ts';
import { getUsageRecord, markMeterStatus, recordUsage } from '#shared/billing/usage-store.ts';
import { isTerminal } from '#shared/calls/call-status.ts';
import { env } from '#shared/config/env.ts';
import { secrets } from '#shared/config/secrets.ts';
import { getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { getTenant } from '#shared/data/tenants.ts';
import { UnavailableError } from '#shared/errors/app-error.ts';
import { createLogger, type Logger } from '#shared/logging/logger.ts';
import type { CallEvent } from '#shared/queues/contracts.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { exponentialDelaySeconds } from '#shared/webhooks/retry-schedule.ts';
import { type MessageContext, type Outcome, processBatch } from './batch/process-batch.ts';

const logger = createLogger({ context: { service: 'meter-usage' } });

/**
 * Reports the call's billable seconds to Stripe once (the call id is the meter event identifier,
 * so even a repeat after a lost response is not billed twice), then remembers that it did.
 */
async function reportToStripe(record: UsageRecord, log: Logger): Promise<void> {
  const db = dbFromEnv();
  const stored = await getUsageRecord(db, record.tenantId, record.month, record.callId);
  if (stored?.meterStatus) return;
  if (record.billableSeconds === 0) {
    await markMeterStatus(db, record, 'nothing_to_bill');
    return;
  }
  const tenant = await getTenant(db, record.tenantId);
  if (!tenant?.stripeCustomerId) {
    await markMeterStatus(db, record, 'no_customer');
    return;
  }
  const apiKey = await secrets().get('STRIPE_API_KEY');
  if (!apiKey) throw new UnavailableError('STRIPE_API_KEY is not configured; usage cannot be reported.');
  const config = env();
  await sendMeterEvent(
    { apiKey, baseUrl: config.STRIPE_API_BASE_URL },
    {
      eventName: config.STRIPE_METER_EVENT_NAME,
      stripeCustomerId: tenant.stripeCustomerId,
      value: record.billableSeconds,
      identifier: record.callId,
      timestamp: meterTimestamp(new Date(record.endedAt ?? record.meteredAt), new Date()),
    },
  );
  await markMeterStatus(db, record, 'reported');
  log.info('usage reported to stripe', { billableSeconds: record.billableSeconds });
}

async function meterOne(event: CallEvent, { logger: log }: MessageContext): Promise<Outcome> {
  if (event.type !== 'call.ended') return { kind: 'done', note: 'not a call.ended event' };
  const db = dbFromEnv();
  const call = await getCall(db, event.tenantId, event.callId);
  if (!call) return { kind: 'dead', reason: 'call_not_found' };
  // The event can overtake the status write it announces; the final usage is known only then.
  if (!isTerminal(call.status)) return { kind: 'retry', reason: 'call_not_terminal_yet' };
  const config = env();
  const table = priceTable(config.BILLING_PRICE_VERSION, {
    incrementSeconds: config.BILLING_INCREMENT_SECONDS,
    minimumSeconds: config.BILLING_MINIMUM_SECONDS,
  });
  const record = buildUsageRecord(call, table, { reportedDuration: event.durationSeconds });
  const [tenant, escalations] = await Promise.all([
    getTenant(db, call.tenantId),
    countEscalations(db, call.id),
  ]);
  const analytics = endedCallAnalyticsItems(db, {
    call,
    timeZone: timeZoneOf(tenant),
    connectedSeconds: record.connectedSeconds,
    billableSeconds: record.billableSeconds,
    chargeMicros: record.chargeMicros,
    escalations,
  });
  const { counted } = await recordUsage(db, record, analytics);
  log.info(counted ? 'usage recorded' : 'usage already recorded', {
    billableSeconds: record.billableSeconds,
    chargeMicros: record.chargeMicros,
  });
  const current = counted
    ? record
    : ((await getUsageRecord(db, record.tenantId, record.month, record.callId)) ?? record);
  await reportToStripe(current, log);
  return { kind: 'done' };
}

/** Usage queue consumer (Lambda): one `call.ended` → one usage record, counters, a Stripe meter event. */
export const handler = async (event: SQSEvent) =>
  processBatch(event, {
    queueId: 'usage',
    queueUrl: queueUrlsFromEnv().usage,
    sqs: sqsFromEnv(),
    logger,
    handle: meterOne,
    retryDelaySeconds: (attempt) => exponentialDelaySeconds(attempt, env().CONSUMER_RETRY_BASE_SECONDS),
  });
