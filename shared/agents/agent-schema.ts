import { z } from 'zod';
import { jsonObjectSchema } from '../json/json-schemas.ts';
import { RECORDING_CHANNELS, RETENTION_DAYS } from '../recordings/recording-types.ts';

const E164 = /^\+[1-9]\d{6,14}$/;
export const E164Schema = z.string().regex(E164, 'must be an E.164 number like +14155550100');

/**
 * A JSON Schema the tenant writes (tool parameters, summary data); validated loosely (it is the
 * model's contract) but bounded in depth and size, and stored with every key as sent.
 */
const JsonSchemaObject = jsonObjectSchema({ maxKilobytes: 16 });

/** A tenant-defined tool: the platform POSTs the arguments as JSON to `url`, signed. */
export const HttpToolSchema = z.strictObject({
  type: z.literal('http').describe('`http`: the platform POSTs the arguments to `url`.'),
  name: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, _ and - only (max 64)')
    .describe('The name the model calls the tool by.'),
  description: z.string().min(1).max(1024).describe('When and why the model should use the tool.'),
  parameters: JsonSchemaObject.describe('JSON Schema of the arguments the model must send.').default({
    type: 'object',
    properties: {},
  }),
  url: z
    .url({ protocol: /^https?$/ })
    .describe('Receives the arguments as a signed JSON POST; its JSON answer goes back to the model.'),
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(30_000)
    .describe('How long to wait for `url` before telling the model the tool failed.')
    .default(5_000),
});
export type HttpTool = z.output<typeof HttpToolSchema>;

/**
 * Every kind of tool an agent can be given, told apart by `type`. A new kind is one more schema
 * in this list plus its entry in the media service's tool registry (docs/extending.md).
 */
export const AgentToolSchema = z.discriminatedUnion('type', [HttpToolSchema]);
export type AgentTool = z.output<typeof AgentToolSchema>;

/** Call recording settings of an agent (docs/recording.md). */
export const AgentRecordingSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .describe('Record every call of this agent (a call may turn it off: `POST /v1/calls`).'),
    channels: z
      .enum(RECORDING_CHANNELS)
      .describe('`dual`: a stereo WAV, caller left and agent right; `mono`: both mixed into one channel.')
      .default('dual'),
    retentionDays: z
      .literal(RETENTION_DAYS)
      .describe(`Days a recording is kept before it is deleted; one of ${RETENTION_DAYS.join(', ')}.`)
      .default(30),
    disclosure: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .describe('Said word for word before the greeting on recorded calls, e.g. "This call is recorded."')
      .optional(),
  })
  .describe(
    'Call recording: WAV files stored for `retentionDays`, fetched with `GET /v1/calls/{id}/recording`.',
  );

export const REALTIME_VOICES = [
  'alloy',
  'ash',
  'ballad',
  'cedar',
  'coral',
  'echo',
  'marin',
  'sage',
  'shimmer',
  'verse',
] as const;

/** What an outbound call does when an answering machine picks up (docs/voicemail-detection.md). */
export const VoicemailSettingsSchema = z
  .strictObject({
    action: z
      .enum(['hangup', 'leave_message'])
      .describe(
        '`leave_message`: wait for the greeting to end (the beep), say `message`, hang up. `hangup`: hang up at once.',
      ),
    message: z
      .string()
      .trim()
      .min(1)
      .max(1_000)
      .describe(
        "Said word for word in the agent's voice after the beep (plain text, up to 1,000 characters).",
      )
      .optional(),
  })
  .refine((v) => v.action !== 'leave_message' || v.message !== undefined, {
    message: 'a message is required when action is leave_message',
    path: ['message'],
  })
  .describe(
    "Answering-machine detection on this agent's outbound calls: without it every answer is taken for a person and the agent greets at once.",
  );
export type VoicemailSettings = z.output<typeof VoicemailSettingsSchema>;

/** Fields a client may set on an agent; used for create (with required ones) and patch (all optional). */
export const AgentFieldsSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).describe('Shown in the console and lists.'),
  instructions: z
    .string()
    .min(1)
    .max(32_000)
    .describe("The agent's system prompt: who it is, what it may do, how it speaks."),
  voice: z.enum(REALTIME_VOICES).describe('The realtime model voice.').default('marin'),
  greeting: z
    .string()
    .max(2_000)
    .describe('Said word for word when the call connects; the model greets in its own words without it.')
    .optional(),
  language: z
    .string()
    .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'an ISO-639-1 code such as "en" or "en-US"')
    .describe('The language of the call (ISO-639-1), for transcription and speech.')
    .optional(),
  model: z
    .string()
    .min(1)
    .max(100)
    .describe("The realtime model; the platform's default (OPENAI_REALTIME_MODEL) without it.")
    .optional(),
  tools: z
    .array(AgentToolSchema)
    .max(32)
    .describe('Your HTTP tools the model may call (up to 32); end-call and transfer are built in.')
    .default([]),
  transferNumber: E164Schema.describe(
    'Where the built-in transfer tool sends the caller (E.164).',
  ).optional(),
  transferNumbers: z
    .array(E164Schema)
    .max(10)
    .describe(
      'More numbers a warm transfer may dial when the model names one (E.164, up to 10); any other number is refused.',
    )
    .optional(),
  maxDurationSeconds: z
    .number()
    .int()
    .min(30)
    .max(4 * 3600)
    .describe('The call is ended politely after this long.')
    .default(1800),
  idleTimeoutSeconds: z
    .number()
    .int()
    .min(5)
    .max(600)
    .describe('The call is ended after this long with nobody speaking.')
    .default(30),
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .describe("Receives this agent's call events instead of the tenant's webhook.")
    .optional(),
  summarySchema: JsonSchemaObject.describe(
    'JSON Schema of data to extract from each call; the result is `summary.data`.',
  ).optional(),
  knowledgeBaseIds: z
    .array(z.string().regex(/^kb_[0-9A-HJKMNP-TV-Z]{26}$/, 'a knowledge base id (`kb_…`)'))
    .max(10)
    .optional()
    .describe('Knowledge bases the agent looks facts up in during calls (its `search_knowledge` tool).'),
  recording: AgentRecordingSchema.optional(),
  voicemail: VoicemailSettingsSchema.optional(),
});

export const CreateAgentSchema = AgentFieldsSchema;
export type CreateAgentInput = z.input<typeof CreateAgentSchema>;

export interface Agent extends z.output<typeof AgentFieldsSchema> {
  id: string;
  tenantId: string;
  createdAt: string;
  updatedAt: string;
}
