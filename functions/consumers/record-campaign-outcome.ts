import type { SQSEvent } from 'aws-lambda';
import { recordCallAnswered, recordCallEnded } from '#shared/campaigns/record-outcome.ts';
import { isTerminal } from '#shared/calls/call-status.ts';
import { env } from '#shared/config/env.ts';
import { getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import type { CallEvent } from '#shared/queues/contracts.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { exponentialDelaySeconds } from '#shared/webhooks/retry-schedule.ts';
import { type MessageContext, type Outcome, processBatch } from './batch/process-batch.ts';

const logger = createLogger({ context: { service: 'record-campaign-outcome' } });

async function recordOne(event: CallEvent, _context: MessageContext): Promise<Outcome> {
  if (event.type !== 'call.started' && event.type !== 'call.ended')
    return { kind: 'done', note: 'not a call lifecycle event' };
  const db = dbFromEnv();
  const call = await getCall(db, event.tenantId, event.callId);
  if (!call) return { kind: 'dead', reason: 'call_not_found' };
  if (!call.metadata?.campaignId) return { kind: 'done', note: 'not a campaign call' };
  if (event.type === 'call.started') {
    return { kind: 'done', note: (await recordCallAnswered(db, call, new Date())) ? 'in_call' : 'stale' };
  }
  // The event can overtake the status write it announces; the outcome is known only then.
  if (!isTerminal(call.status)) return { kind: 'retry', reason: 'call_not_terminal_yet' };
  return { kind: 'done', note: await recordCallEnded(db, call, new Date()) };
}

/**
 * Campaign outcome consumer: `call.started` moves the contact to `in_call`; `call.ended` applies
 * the outcome (completed, no_answer, busy, voicemail, failed) and the campaign's retry rules.
 * Every write is conditional on the contact's current call, so duplicates do nothing.
 */
export const handler = async (event: SQSEvent) =>
  processBatch(event, {
    queueId: 'campaignOutcomes',
    queueUrl: queueUrlsFromEnv().campaignOutcomes,
    sqs: sqsFromEnv(),
    logger,
    handle: recordOne,
    retryDelaySeconds: (attempt) => exponentialDelaySeconds(attempt, env().CONSUMER_RETRY_BASE_SECONDS),
  });
