import { z } from 'zod';
import { PageQuerySchema, pageOf } from '../api/common-schemas.ts';
import { type ApiOperation, apiGrants } from '../api/openapi/operation-types.ts';
import { UsageCallsQuerySchema, UsageQuerySchema } from './usage-presenter.ts';

/**
 * Response contracts of the usage, webhook-delivery and webhook-secret routes, and their OpenAPI
 * operations (spread into the API's operation list). Tests parse real responses with these
 * strict schemas, so the documented shape and the served one cannot drift apart.
 */
const count = z.number().int().nonnegative();
const usd = z.number().nonnegative().describe('US dollars (6 decimals).');

const RealtimeTokensSchema = z
  .strictObject({
    inputText: count.describe('Input text tokens.'),
    inputAudio: count.describe('Input audio tokens (the caller heard by the model).'),
    cachedInput: count.describe('Cached input tokens (a subset of input tokens).'),
    cachedInputText: count.describe('Cached input text tokens.'),
    cachedInputAudio: count.describe('Cached input audio tokens.'),
    outputText: count.describe('Output text tokens.'),
    outputAudio: count.describe('Output audio tokens (the agent speaking).'),
  })
  .describe('Realtime model tokens.');

const TranscriptionShape = {
  inputTokens: count.describe('Transcription input tokens.'),
  outputTokens: count.describe('Transcription output tokens.'),
};

const CostSchema = z
  .strictObject({
    currency: z.literal('usd').describe('Always `usd`.'),
    amount: usd.describe(
      'Charged to the account: billable seconds at the per-minute rate (reported to Stripe).',
    ),
    providerCost: z
      .strictObject({
        realtime: usd.describe('Realtime model, US dollars.'),
        transcription: usd.describe('Caller transcription, US dollars.'),
        summary: usd.describe('Summary model, US dollars.'),
        total: usd.describe('All of the above, US dollars.'),
      })
      .describe('Model usage at provider list prices (cost to serve).'),
  })
  .describe('What the usage costs.');

const UsageFiguresShape = {
  calls: count.describe('Calls started in the month.'),
  connectedCalls: count.describe('Of those, calls the agent came on the line for.'),
  billableSeconds: count.describe('Connected time charged, per call rounded up to the billing increment.'),
  realtimeTokens: RealtimeTokensSchema,
  transcription: z
    .strictObject({ ...TranscriptionShape, seconds: count.describe('Caller audio transcribed, seconds.') })
    .describe('Caller transcription.'),
  summaryTokens: count.describe('Summary model tokens, input plus output.'),
  summaryTokenDetails: z
    .strictObject({
      input: count.describe('Summary input tokens.'),
      output: count.describe('Summary output tokens.'),
    })
    .describe('Summary model tokens, split.'),
  cost: CostSchema,
};

export const MonthUsageSchema = z.strictObject({
  month: z.string().describe('YYYY-MM (UTC); calls count in the month they started.'),
  totals: z.strictObject(UsageFiguresShape).describe('All agents together.'),
  byAgent: z
    .array(z.strictObject({ agentId: z.string().describe('The agent (`agt_…`).'), ...UsageFiguresShape }))
    .describe('The same figures per agent.'),
});

export const UsageRecordSchema = z.strictObject({
  callId: z.string().describe('The call (`call_…`).'),
  agentId: z.string().describe('The agent (`agt_…`).'),
  month: z.string().describe('YYYY-MM (UTC) the call counts in.'),
  callCreatedAt: z.string().describe('When the call was created (ISO-8601).'),
  endedAt: z.string().nullable().describe('When it ended.'),
  status: z.string().describe("The call's final status."),
  endReason: z.string().nullable().describe('Why it ended.'),
  direction: z.string().describe('`inbound` or `outbound`.'),
  provider: z.string().describe('`twilio`, `asterisk` or `web`.'),
  priceVersion: z.string().describe('The price table version this call was priced with.'),
  connectedSeconds: z.number().nonnegative().describe('From answered to ended.'),
  billableSeconds: count.describe('Connected time charged (rounded up to the billing increment).'),
  realtimeTokens: RealtimeTokensSchema,
  transcription: z
    .strictObject({
      ...TranscriptionShape,
      seconds: z.number().nonnegative().describe('Caller audio transcribed, seconds.'),
    })
    .describe('Caller transcription.'),
  summaryTokens: count.describe('Summary model tokens, input plus output.'),
  cost: CostSchema,
  stripe: z
    .strictObject({
      status: z
        .enum(['pending', 'reported', 'no_customer', 'nothing_to_bill'])
        .describe('Whether the billable time has been reported to Stripe.'),
      reportedAt: z.string().nullable().describe('When it was reported.'),
    })
    .describe('Metered billing.'),
});

export const DeliveryAttemptSchema = z.strictObject({
  id: z.string().describe('`whd_…`'),
  eventId: z.string().describe('Also the `webhook-id` header.'),
  eventType: z
    .enum([
      'call.started',
      'call.ended',
      'call.summarized',
      'call.escalated',
      'export.completed',
      'call.recording_ready',
    ])
    .describe('The event delivered.'),
  callId: z.string().optional().describe('The call the event is about.'),
  url: z.string().describe('Where it was posted.'),
  attempt: z.number().int().positive().describe('1 for the first try, then each retry.'),
  status: z
    .enum(['delivered', 'failed', 'gone', 'blocked'])
    .describe('`gone`: the endpoint answered 410; `blocked`: a private address refused.'),
  httpStatus: z.number().int().nullable().describe("The endpoint's status; null when it never answered."),
  error: z.string().nullable().describe('Why the attempt failed.'),
  durationMs: count.describe('How long the endpoint took.'),
  attemptedAt: z.string().describe('When (ISO-8601).'),
  nextAttemptAt: z.string().nullable().describe('When a failed attempt will be retried; null when final.'),
});

export const RotatedSecretSchema = z.strictObject({
  secret: z.string().describe('`whsec_…`: shown only in this response.'),
  createdAt: z.string().describe('When the secret was created.'),
  previousSecretExpiresAt: z.string().nullable().describe('Until then the previous secret signs too.'),
  previousSecretGraceSeconds: count.describe('How long both secrets sign.'),
});

export const DeliveriesQuerySchema = PageQuerySchema.extend({
  eventId: z.string().min(1).max(128).optional().describe('Only attempts for this event.'),
  callId: z.string().min(1).max(64).optional().describe('Only attempts for this call.'),
});

const READ = ['validation_error', 'unauthorized', 'forbidden', 'rate_limited'] as const;

export const BILLING_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'GET',
    path: '/v1/usage',
    operationId: 'getUsage',
    handler: 'get-usage',
    grants: apiGrants(),
    tag: 'Usage',
    auth: 'apiKey',
    summary: "A month's usage: totals and per agent",
    description: 'Read from pre-aggregated counters; a redelivered call event never counts twice.',
    query: UsageQuerySchema,
    success: { status: 200, description: 'The month.', schema: MonthUsageSchema },
    errors: [...READ],
  },
  {
    method: 'GET',
    path: '/v1/usage/calls',
    operationId: 'listUsageCalls',
    handler: 'list-usage-calls',
    grants: apiGrants(),
    tag: 'Usage',
    auth: 'apiKey',
    summary: "A month's per-call usage records, in call order",
    query: UsageCallsQuerySchema,
    success: { status: 200, description: 'A page of usage records.', schema: pageOf(UsageRecordSchema) },
    errors: [...READ],
  },
  {
    method: 'GET',
    path: '/v1/webhook-deliveries',
    operationId: 'listWebhookDeliveries',
    handler: 'list-webhook-deliveries',
    grants: apiGrants(),
    tag: 'Webhooks',
    auth: 'apiKey',
    scope: 'admin',
    summary: 'Customer webhook delivery attempts, newest first',
    query: DeliveriesQuerySchema,
    success: { status: 200, description: 'A page of attempts.', schema: pageOf(DeliveryAttemptSchema) },
    errors: [...READ],
  },
  {
    method: 'POST',
    path: '/v1/webhook-secret/rotate',
    operationId: 'rotateWebhookSecret',
    handler: 'rotate-webhook-secret',
    grants: apiGrants(),
    tag: 'Webhooks',
    auth: 'apiKey',
    scope: 'admin',
    summary: 'Create or rotate the webhook signing secret',
    description:
      'The secret is returned once. The previous one keeps signing for 24 h. Needs an admin-scoped key.',
    success: { status: 201, description: 'The new secret.', schema: RotatedSecretSchema },
    errors: ['unauthorized', 'forbidden', 'rate_limited'],
  },
];
