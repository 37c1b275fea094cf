import { z } from 'zod';
import { E164Schema } from '../agents/agent-schema.ts';
import { TimeZoneSchema } from '../analytics/time-zone-schema.ts';
import { pageQueryShape, TimestampSchema } from '../api/common-schemas.ts';
import { stringRecordSchema } from '../json/json-schemas.ts';
import { WEEKDAYS, windowProblem } from './calling-window.ts';
import { CAMPAIGN_STATUSES, CONTACT_STATES } from './campaign-types.ts';

/** Contacts per `POST /v1/campaigns/{id}/contacts` (bigger lists go through a CSV import). */
export const MAX_CONTACTS_PER_BATCH = 1000;
/** That route accepts bodies up to this size (1,000 contacts with a few variables each). */
export const CONTACT_BATCH_MAX_BYTES = 1024 * 1024;

export const VariablesSchema = stringRecordSchema({ maxKeys: 32, maxKeyLength: 64, maxValueLength: 1000 });

export const RetryRuleSchema = z
  .strictObject({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(10)
      .describe('Dial attempts in total for a contact whose last attempt ended this way; 1 means no retry.'),
    delayMinutes: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 60)
      .describe('Minutes to wait before the next attempt (then the next opening of the calling window).'),
  })
  .describe('How an outcome is retried.');

const noRetry = { maxAttempts: 1, delayMinutes: 0 };

export const CallingWindowSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .max(7)
      .default([...WEEKDAYS.slice(0, 5)])
      .describe('Local weekdays calls may be placed on (default Monday to Friday).'),
    start: z.string().describe('Local opening time, `HH:MM` 24-hour, in the contact’s time zone.'),
    end: z
      .string()
      .describe('Local closing time, `HH:MM`, after `start` on the same day; no dial starts at or after it.'),
  })
  .superRefine((window, ctx) => {
    const problem = windowProblem(window);
    if (problem)
      ctx.addIssue({ code: 'custom', path: [problem[0].split('.')[1] as string], message: problem[1] });
  })
  .describe('When contacts may be called, in each contact’s own time zone.');

export const CreateCampaignBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).describe('A name for people.'),
    agentId: z.string().min(1).max(64).describe('The agent that talks on every call of the campaign.'),
    from: z
      .union([E164Schema, z.array(E164Schema).min(1).max(50)])
      .optional()
      .describe(
        'Caller id: one of your numbers, or a pool of them (each contact is always called from the same one). By default the agent’s number.',
      ),
    schedule: z
      .strictObject({
        startAt: z.iso
          .datetime({ offset: true })
          .optional()
          .describe('No call before this (default: when started).'),
        endAt: z.iso
          .datetime({ offset: true })
          .optional()
          .describe('No call after this; the campaign then completes.'),
      })
      .default({})
      .describe('The period the campaign may call in.'),
    callingWindow: CallingWindowSchema,
    timezone: TimeZoneSchema.optional().describe(
      'Zone for numbers of countries with several time zones (US, Canada, Brazil, …) when the contact gives none; must be one of that country’s zones.',
    ),
    maxConcurrentCalls: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .describe('Calls of this campaign live at once (the account’s own limit applies too).'),
    retry: z
      .strictObject({
        onNoAnswer: RetryRuleSchema.default(noRetry),
        onBusy: RetryRuleSchema.default(noRetry),
        onVoicemail: RetryRuleSchema.default(noRetry),
        onFailed: RetryRuleSchema.default(noRetry),
      })
      .default({ onNoAnswer: noRetry, onBusy: noRetry, onVoicemail: noRetry, onFailed: noRetry })
      .describe('Retry rules per outcome (default: no retries).'),
    variables: VariablesSchema.optional().describe(
      'Campaign-wide values of `{{name}}` placeholders; a contact’s own values win. Names here and the agent’s placeholders are the only variables contacts may carry.',
    ),
  })
  .superRefine((body, ctx) => {
    const { startAt, endAt } = body.schedule;
    if (startAt && endAt && Date.parse(startAt) >= Date.parse(endAt)) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule', 'endAt'],
        message: 'must be after schedule.startAt',
      });
    }
    for (const name of Object.keys(body.variables ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['variables', name],
          message: 'names are letters, digits and _',
        });
      }
    }
  });

const CountsSchema = z
  .strictObject(
    Object.fromEntries(
      CONTACT_STATES.map((state) => [state, z.number().int().describe(`Contacts now ${state}.`)]),
    ) as Record<(typeof CONTACT_STATES)[number], z.ZodNumber>,
  )
  .describe('Contacts per state, live.');

export const CampaignSchema = z.strictObject({
  id: z.string().describe('`cmp_…`'),
  name: z.string().describe('The name.'),
  agentId: z.string().describe('The agent on every call.'),
  from: z.array(z.string()).optional().describe('Caller ids (a pool when several).'),
  schedule: z
    .strictObject({
      startAt: TimestampSchema.optional().describe('No call before this.'),
      endAt: TimestampSchema.optional().describe('No call after this.'),
    })
    .describe('The period the campaign may call in.'),
  callingWindow: z
    .strictObject({
      days: z.array(z.enum(WEEKDAYS)).describe('Local weekdays.'),
      start: z.string().describe('Local opening time.'),
      end: z.string().describe('Local closing time.'),
    })
    .describe('The calling window, in each contact’s time zone.'),
  timezone: z.string().optional().describe('Fallback zone for countries with several.'),
  maxConcurrentCalls: z.number().int().describe('Calls live at once.'),
  retry: z
    .strictObject({
      onNoAnswer: RetryRuleSchema,
      onBusy: RetryRuleSchema,
      onVoicemail: RetryRuleSchema,
      onFailed: RetryRuleSchema,
    })
    .describe('Retry rules per outcome.'),
  variables: z.record(z.string(), z.string()).describe('Campaign-wide variable values.'),
  placeholders: z
    .array(z.string())
    .describe('`{{name}}` placeholders of the agent’s instructions and greeting.'),
  status: z.enum(CAMPAIGN_STATUSES).describe('draft → running ⇄ paused → completed | canceled'),
  counts: CountsSchema,
  createdAt: TimestampSchema.describe('When it was created.'),
  updatedAt: TimestampSchema.describe('When it last changed.'),
  startedAt: TimestampSchema.optional().describe('When it was first started.'),
  endedAt: TimestampSchema.optional().describe('When it completed or was canceled.'),
  endReason: z
    .string()
    .optional()
    .describe('Why it completed: `all_contacts_final`, `schedule_ended`, `canceled`.'),
});

export const ContactInputSchema = z.strictObject({
  number: z.string().max(32).describe('The number to call, E.164 (`+14155550100`).'),
  timezone: z
    .string()
    .max(64)
    .optional()
    .describe('IANA zone of the contact; by default derived from the number.'),
  variables: VariablesSchema.optional().describe(
    'Values of the agent’s `{{name}}` placeholders for this contact.',
  ),
});

export const AddContactsBodySchema = z.strictObject({
  contacts: z
    .array(z.unknown())
    .min(1)
    .max(MAX_CONTACTS_PER_BATCH)
    .describe(
      `Up to ${MAX_CONTACTS_PER_BATCH} contacts \`{number, timezone?, variables?}\` (see ContactInput); each is checked on its own and a bad one is listed in \`rejected\`.`,
    ),
});

export const RejectedContactSchema = z.strictObject({
  index: z.number().int().describe('Position in the request (or data row number of a CSV, from 1).'),
  number: z.string().describe('The number as sent.'),
  error: z
    .string()
    .describe(
      '`invalid_number`, `duplicate`, `invalid_timezone`, `timezone_required`, `unknown_variable …`, `missing_variable …`, `invalid_row`.',
    ),
});

export const AddContactsResultSchema = z.strictObject({
  accepted: z
    .number()
    .int()
    .describe('Contacts stored (those on the do-not-call list included, as `skipped_dnc`).'),
  skippedDnc: z
    .number()
    .int()
    .describe('Of the accepted, how many are on the do-not-call list and will not be called.'),
  rejected: z.array(RejectedContactSchema).describe('Contacts not stored, with why.'),
});

export const ContactSchema = z.strictObject({
  number: z.string().describe('E.164 number.'),
  timezone: z.string().describe('The zone its calling window is read in.'),
  variables: z.record(z.string(), z.string()).describe('Its variables.'),
  state: z.enum(CONTACT_STATES).describe('Where the contact is.'),
  attempts: z.number().int().describe('Calls placed to it so far.'),
  nextAttemptAt: TimestampSchema.optional().describe('When a waiting contact is due.'),
  callId: z.string().optional().describe('The call in progress.'),
  lastCallId: z.string().optional().describe('The call of the last finished attempt.'),
  lastOutcome: z
    .enum(['completed', 'no_answer', 'busy', 'voicemail', 'failed'])
    .optional()
    .describe('How the last attempt ended.'),
  lastError: z.string().optional().describe('Why the last attempt could not be placed, if it could not.'),
  createdAt: TimestampSchema.describe('When it was added.'),
  updatedAt: TimestampSchema.describe('When it last changed.'),
});

export const ListContactsQuerySchema = z.strictObject({
  ...pageQueryShape,
  state: z.enum(CONTACT_STATES).optional().describe('Only contacts in this state (in due or end order).'),
});

export const CreateDncBodySchema = z.strictObject({
  number: E164Schema.describe('The number that must not be called, E.164.'),
  reason: z.string().trim().max(500).optional().describe('Why (free text, for people).'),
});

export const DncEntrySchema = z.strictObject({
  number: z.string().describe('E.164 number.'),
  source: z
    .enum(['api', 'import', 'agent'])
    .describe('Added through the API, a CSV import, or by the agent during a call.'),
  reason: z.string().optional().describe('Why.'),
  callId: z.string().optional().describe('The call in which the callee asked (source `agent`).'),
  createdAt: TimestampSchema.describe('When it was added.'),
});
