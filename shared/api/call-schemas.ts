import { z } from 'zod';
import { E164Schema } from '../agents/agent-schema.ts';
import { CALL_STATUSES } from '../calls/call-status.ts';
import { CALL_PROVIDERS, PHONE_PROVIDERS } from '../calls/providers.ts';
import { ESCALATION_PRIORITIES } from '../data/escalations.ts';
import { MetadataSchema, pageQueryShape, TimestampSchema } from './common-schemas.ts';

export const CallStatusSchema = z
  .enum(CALL_STATUSES)
  .describe('queued → ringing → in_progress → completed | failed | busy | no_answer | canceled');

export const CreateCallBodySchema = z.strictObject({
  agentId: z.string().min(1).max(64).describe('The agent that talks on the call.'),
  to: E164Schema.describe('The number to call, E.164.'),
  from: E164Schema.optional().describe(
    'One of your numbers; by default the number mapped to the agent for the provider.',
  ),
  provider: z.enum(PHONE_PROVIDERS).optional().describe('By default the provider of the `from` number.'),
  metadata: MetadataSchema.optional(),
});

export const ListCallsQuerySchema = z
  .strictObject({
    ...pageQueryShape,
    status: CallStatusSchema.optional(),
    agentId: z.string().min(1).max(64).optional(),
    direction: z.enum(['inbound', 'outbound']).optional(),
    from: E164Schema.optional(),
    to: E164Schema.optional(),
    since: z.iso.datetime({ offset: true }).optional().describe('Created at or after (ISO-8601).'),
    until: z.iso.datetime({ offset: true }).optional().describe('Created before (ISO-8601).'),
  })
  .refine(
    (q) => !q.since || !q.until || Date.parse(q.since) < Date.parse(q.until),
    'since must be before until',
  );

const UsageSchema = z.strictObject({
  responses: z.number(),
  inputTextTokens: z.number(),
  inputAudioTokens: z.number(),
  inputCachedTokens: z.number(),
  inputCachedTextTokens: z.number(),
  inputCachedAudioTokens: z.number(),
  outputTextTokens: z.number(),
  outputAudioTokens: z.number(),
  transcriptionInputTokens: z.number(),
  transcriptionOutputTokens: z.number(),
  transcriptionSeconds: z.number(),
});

const SummarySchema = z.strictObject({
  summary: z.string(),
  sentiment: z.enum(['positive', 'neutral', 'negative', 'mixed']),
  actionItems: z.array(z.string()),
  qaScore: z.number(),
  qaReasons: z.array(z.string()),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const CallSchema = z.strictObject({
  id: z.string().describe('`call_…`'),
  tenantId: z.string(),
  agentId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  provider: z.enum(CALL_PROVIDERS),
  providerCallId: z.string().nullable().describe('Twilio CallSid or Asterisk channel id, once known.'),
  from: z.string(),
  to: z.string(),
  status: CallStatusSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  answeredAt: TimestampSchema.optional(),
  endedAt: TimestampSchema.optional(),
  durationSeconds: z.number().optional(),
  endReason: z.string().optional(),
  summary: SummarySchema.optional(),
  usage: UsageSchema.optional(),
  metadata: z.record(z.string(), z.string()),
  traceId: z
    .string()
    .optional()
    .describe('AWS X-Ray trace id of the call: every service that handled it traced under this id.'),
});

export const TranscriptTurnSchema = z.strictObject({
  seq: z.number().int(),
  role: z.enum(['caller', 'agent', 'tool']),
  text: z.string(),
  startedAt: TimestampSchema,
  endedAt: TimestampSchema.optional(),
  interrupted: z.boolean().optional(),
});

export const TranscriptSchema = z.strictObject({
  items: z.array(TranscriptTurnSchema),
  nextCursor: z.null().describe('Transcripts come whole; always null.'),
});

export const CreateNoteBodySchema = z.strictObject({
  text: z.string().trim().min(1).max(10_000),
  author: z.string().trim().min(1).max(200).optional().describe('Who wrote it (free text).'),
});

export const NoteSchema = z.strictObject({
  id: z.string().describe('`note_…`'),
  callId: z.string(),
  text: z.string(),
  author: z.string().optional(),
  createdAt: TimestampSchema,
});

export const CreateEscalationBodySchema = z.strictObject({
  reason: z.string().trim().min(1).max(2_000),
  priority: z.enum(ESCALATION_PRIORITIES).default('normal'),
});

export const EscalationSchema = z.strictObject({
  id: z.string().describe('`esc_…`'),
  callId: z.string(),
  reason: z.string(),
  priority: z.enum(ESCALATION_PRIORITIES),
  createdAt: TimestampSchema,
});
