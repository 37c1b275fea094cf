import { z } from 'zod';
import { TimeZoneSchema } from '../analytics/time-zone-schema.ts';
import { TimestampSchema } from './common-schemas.ts';

const limitsShape = {
  maxConcurrentCalls: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .describe('Calls that may be active at once; more are refused with 429.'),
  requestsPerSecond: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .describe('API requests per second for the account (and new calls per second).'),
};
const LimitsPatchSchema = z.strictObject({
  maxConcurrentCalls: limitsShape.maxConcurrentCalls.optional(),
  requestsPerSecond: limitsShape.requestsPerSecond.optional(),
});

export const CreateTenantBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200).describe('The business, as shown to platform admins.'),
  limits: LimitsPatchSchema.optional().describe('Platform defaults apply to omitted limits.'),
  ownerEmail: z
    .email()
    .max(254)
    .optional()
    .describe('Invite this person as the first owner: the answer carries `ownerInvitation` (72-hour link).'),
});

/** `billingStatus` is not here on purpose: only Stripe webhooks change it. */
export const UpdateTenantBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional().describe('The business, as shown to platform admins.'),
  limits: LimitsPatchSchema.optional().describe('Only the named limits change.'),
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullable()
    .optional()
    .describe('Where call events are POSTed (signed); null removes it.'),
  stripeCustomerId: z
    .string()
    .regex(/^cus_[A-Za-z0-9]{1,64}$/, 'a Stripe customer id such as cus_Nc9...')
    .optional()
    .describe('The Stripe customer billed for usage.'),
  timezone: TimeZoneSchema.optional().describe(
    'IANA time zone of analytics days and months (default UTC). Counters written before a change keep their days; run a backfill to rebuild them.',
  ),
});

export const TenantSchema = z.strictObject({
  id: z.string().describe('`ten_…`'),
  name: z.string().describe('The business, as shown to platform admins.'),
  limits: z.strictObject(limitsShape).describe('What the tenant may use at once.'),
  billingStatus: z.enum(['active', 'past_due']).describe('Set by Stripe; `past_due` pauses new calls.'),
  stripeCustomerId: z.string().optional().describe('The Stripe customer billed for usage.'),
  webhookUrl: z.string().optional().describe('Where call events are POSTed (signed).'),
  timezone: z.string().describe('IANA time zone of analytics days and months.'),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
