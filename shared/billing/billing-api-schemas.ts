import { z } from 'zod';
import { PageQuerySchema, pageOf } from '../api/common-schemas.ts';
import type { ApiOperation } from '../api/openapi/operations.ts';
import { UsageCallsQuerySchema, UsageQuerySchema } from './usage-presenter.ts';

/**
 * Response contracts of the usage, webhook-delivery and webhook-secret routes, and their OpenAPI
 * operations (spread into the API's operation list). Tests parse real responses with these
 * strict schemas, so the documented shape and the served one cannot drift apart.
 */
const count = z.number().int().nonnegative();
const usd = z.number().nonnegative().describe('US dollars (6 decimals).');

const RealtimeTokensSchema = z.strictObject({
  inputText: count,
  inputAudio: count,
  cachedInput: count.describe('Cached input tokens (a subset of input tokens).'),
  cachedInputText: count,
  cachedInputAudio: count,
  outputText: count,
  outputAudio: count,
});

const CostSchema = z.strictObject({
  currency: z.literal('usd'),
  amount: usd.describe(
    'Charged to the account: billable seconds at the per-minute rate (reported to Stripe).',
  ),
  providerCost: z
    .strictObject({ realtime: usd, transcription: usd, summary: usd, total: usd })
    .describe('Model usage at provider list prices (cost to serve).'),
});

const UsageFiguresShape = {
  calls: count,
  connectedCalls: count,
  billableSeconds: count,
  realtimeTokens: RealtimeTokensSchema,
  transcription: z.strictObject({ inputTokens: count, outputTokens: count, seconds: count }),
  summaryTokens: count.describe('Summary model tokens, input plus output.'),
  summaryTokenDetails: z.strictObject({ input: count, output: count }),
  cost: CostSchema,
};

export const MonthUsageSchema = z.strictObject({
  month: z.string().describe('YYYY-MM (UTC); calls count in the month they started.'),
  totals: z.strictObject(UsageFiguresShape),
  byAgent: z.array(z.strictObject({ agentId: z.string(), ...UsageFiguresShape })),
});

export const UsageRecordSchema = z.strictObject({
  callId: z.string(),
  agentId: z.string(),
  month: z.string(),
  callCreatedAt: z.string(),
  endedAt: z.string().nullable(),
  status: z.string(),
  endReason: z.string().nullable(),
  direction: z.string(),
  provider: z.string(),
  priceVersion: z.string().describe('The price table version this call was priced with.'),
  connectedSeconds: z.number().nonnegative(),
  billableSeconds: count,
  realtimeTokens: RealtimeTokensSchema,
  transcription: z.strictObject({
    inputTokens: count,
    outputTokens: count,
    seconds: z.number().nonnegative(),
  }),
  summaryTokens: count,
  cost: CostSchema,
  stripe: z.strictObject({
    status: z.enum(['pending', 'reported', 'no_customer', 'nothing_to_bill']),
    reportedAt: z.string().nullable(),
  }),
});

export const DeliveryAttemptSchema = z.strictObject({
  id: z.string().describe('`whd_…`'),
  eventId: z.string().describe('Also the `webhook-id` header.'),
  eventType: z.enum(['call.started', 'call.ended', 'call.summarized', 'call.escalated', 'export.completed']),
  callId: z.string().optional(),
  url: z.string(),
  attempt: z.number().int().positive(),
  status: z.enum(['delivered', 'failed', 'gone', 'blocked']),
  httpStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: count,
  attemptedAt: z.string(),
  nextAttemptAt: z.string().nullable().describe('When a failed attempt will be retried; null when final.'),
});

export const RotatedSecretSchema = z.strictObject({
  secret: z.string().describe('`whsec_…`: shown only in this response.'),
  createdAt: z.string(),
  previousSecretExpiresAt: z.string().nullable(),
  previousSecretGraceSeconds: count,
});

export const DeliveriesQuerySchema = PageQuerySchema.extend({
  eventId: z.string().min(1).max(128).optional(),
  callId: z.string().min(1).max(64).optional(),
});

const READ = ['validation_error', 'unauthorized', 'forbidden', 'rate_limited'] as const;

export const BILLING_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'GET',
    path: '/v1/usage',
    operationId: 'getUsage',
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
    tag: 'Webhooks',
    auth: 'apiKey',
    summary: 'Customer webhook delivery attempts, newest first',
    query: DeliveriesQuerySchema,
    success: { status: 200, description: 'A page of attempts.', schema: pageOf(DeliveryAttemptSchema) },
    errors: [...READ],
  },
  {
    method: 'POST',
    path: '/v1/webhook-secret/rotate',
    operationId: 'rotateWebhookSecret',
    tag: 'Webhooks',
    auth: 'apiKey',
    summary: 'Create or rotate the webhook signing secret',
    description: 'The secret is returned once. The previous one keeps signing for 24 h.',
    success: { status: 201, description: 'The new secret.', schema: RotatedSecretSchema },
    errors: ['unauthorized', 'forbidden', 'rate_limited'],
  },
];
