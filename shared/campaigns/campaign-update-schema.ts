import { z } from 'zod';
import { E164Schema } from '../agents/agent-schema.ts';
import { TimeZoneSchema } from '../analytics/time-zone-schema.ts';
import { CallingWindowSchema, RetryRuleSchema, VariablesSchema } from './campaign-schemas.ts';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * `PATCH /v1/campaigns/{id}`: named fields change, others stay. `schedule`, `callingWindow` and
 * `variables` are replaced as a whole; `retry` per outcome; `null` removes `from` (back to the
 * agent's number) or `timezone`.
 */
export const UpdateCampaignBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional().describe('A name for people.'),
    from: z
      .union([E164Schema, z.array(E164Schema).min(1).max(50)])
      .nullable()
      .optional()
      .describe('Caller id or pool of caller ids (your numbers, one provider); `null`: the agent’s number.'),
    schedule: z
      .strictObject({
        startAt: z.iso
          .datetime({ offset: true })
          .optional()
          .describe('No call before this (absent: from when started).'),
        endAt: z.iso
          .datetime({ offset: true })
          .optional()
          .describe('No call after this; the campaign then completes (absent: no end).'),
      })
      .optional()
      .describe('The period the campaign may call in; replaces the current one as a whole.'),
    callingWindow: CallingWindowSchema.optional().describe(
      'When contacts may be called, in each contact’s own time zone; replaces the current window.',
    ),
    timezone: TimeZoneSchema.nullable()
      .optional()
      .describe('Fallback zone for countries with several time zones; `null` removes it.'),
    maxConcurrentCalls: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('Calls of this campaign live at once (the account’s own limit applies too).'),
    retry: z
      .strictObject({
        onNoAnswer: RetryRuleSchema.optional(),
        onBusy: RetryRuleSchema.optional(),
        onVoicemail: RetryRuleSchema.optional(),
        onFailed: RetryRuleSchema.optional(),
      })
      .optional()
      .describe('Retry rules of the outcomes named; the others keep theirs.'),
    variables: VariablesSchema.nullable()
      .optional()
      .describe('Campaign-wide values of `{{name}}` placeholders; replaces the current set (`null`: none).'),
  })
  .superRefine((body, ctx) => {
    for (const name of Object.keys(body.variables ?? {})) {
      if (!VARIABLE_NAME.test(name))
        ctx.addIssue({
          code: 'custom',
          path: ['variables', name],
          message: 'names are letters, digits and _',
        });
    }
  });
