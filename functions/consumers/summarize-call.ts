import type { SQSEvent } from 'aws-lambda';
import { summaryAnalyticsItems, timeZoneOf } from '#shared/analytics/call-analytics.ts';
import { summaryCostMicros } from '#shared/billing/cost.ts';
import { priceTable } from '#shared/billing/price-table.ts';
import { env } from '#shared/config/env.ts';
import { secrets } from '#shared/config/secrets.ts';
import { getAgent } from '#shared/data/agents.ts';
import { getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { getTenant } from '#shared/data/tenants.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { createLogger } from '#shared/logging/logger.ts';
import type { CallEvent } from '#shared/queues/contracts.ts';
import { publishCallEvent, queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { summarizeCall } from '#shared/summaries/summarize-call.ts';
import {
  markSummaryPublished,
  storeSummary,
  summarizedEventId,
  wasSummaryPublished,
} from '#shared/summaries/summary-store.ts';
import { exponentialDelaySeconds } from '#shared/webhooks/retry-schedule.ts';
import { type MessageContext, type Outcome, processBatch } from './batch/process-batch.ts';

const logger = createLogger({ context: { service: 'summarize-call' } });

/** Publishes `call.summarized` once: a stable event id, and a marker after the send succeeded. */
async function publishSummarized(event: Extract<CallEvent, { type: 'call.ended' }>): Promise<void> {
  const db = dbFromEnv();
  if (await wasSummaryPublished(db, event.callId)) return;
  const eventId = summarizedEventId(event.callId);
  await publishCallEvent(sqsFromEnv(), queueUrlsFromEnv(), {
    type: 'call.summarized',
    eventId,
    tenantId: event.tenantId,
    callId: event.callId,
    agentId: event.agentId,
  });
  await markSummaryPublished(db, event.callId, eventId);
}

async function summarizeOne(event: CallEvent, { logger: log }: MessageContext): Promise<Outcome> {
  if (event.type !== 'call.ended') return { kind: 'done', note: 'not a call.ended event' };
  const db = dbFromEnv();
  const call = await getCall(db, event.tenantId, event.callId);
  if (!call) return { kind: 'dead', reason: 'call_not_found' };
  if (call.summary) {
    await publishSummarized(event);
    return { kind: 'done', note: 'already summarized' };
  }
  const config = env();
  const [turns, agent] = await Promise.all([
    listTranscriptTurns(db, call.id),
    getAgent(db, call.tenantId, call.agentId),
  ]);
  const result = await summarizeCall(
    {
      apiKey: () => secrets().require('OPENAI_API_KEY'),
      baseUrl: config.OPENAI_BASE_URL,
      model: config.OPENAI_SUMMARY_MODEL,
    },
    { turns, agentInstructions: agent?.instructions, summarySchema: agent?.summarySchema },
  );
  const table = priceTable(config.BILLING_PRICE_VERSION);
  const tenant = await getTenant(db, call.tenantId);
  const analytics = summaryAnalyticsItems(db, {
    call,
    summary: result.summary,
    scored: result.byModel,
    timeZone: timeZoneOf(tenant),
  });
  const { stored } = await storeSummary(
    db,
    call,
    result.summary,
    {
      inputTokens: result.inputTokens,
      outputTokens: result.outputTokens,
      costMicros: summaryCostMicros(result.inputTokens, result.outputTokens, table),
      scored: result.byModel,
    },
    new Date(),
    analytics,
  );
  await publishSummarized(event);
  log.info('call summarized', {
    stored,
    byModel: result.byModel,
    turns: turns.length,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
  });
  return { kind: 'done' };
}

/** Summaries queue consumer (Lambda): one `call.ended` → one stored summary + `call.summarized`. */
export const handler = async (event: SQSEvent) =>
  processBatch(event, {
    queueId: 'summaries',
    queueUrl: queueUrlsFromEnv().summaries,
    sqs: sqsFromEnv(),
    logger,
    handle: summarizeOne,
    retryDelaySeconds: (attempt) => exponentialDelaySeconds(attempt, env().CONSUMER_RETRY_BASE_SECONDS),
  });
