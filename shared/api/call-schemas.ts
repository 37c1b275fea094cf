import { z } from 'zod';
import { E164Schema } from '../agents/agent-schema.ts';
import { CALL_STATUSES } from '../calls/call-status.ts';
import { CALL_PROVIDERS, PHONE_PROVIDERS } from '../calls/providers.ts';
import { ESCALATION_PRIORITIES } from '../calls/call-types.ts';
import { ANSWERED_BY } from '../voicemail/answered-by.ts';
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
  recording: z
    .boolean()
    .optional()
    .describe(
      '`false` does not record this call even though its agent records calls (and skips the agent\'s disclosure). `true` asks for the agent\'s recording and is refused (400 `validation_error`, `details.reason: "recording_not_enabled"`) when the agent does not record calls; omitted follows the agent.',
    ),
  machineDetection: z
    .boolean()
    .optional()
    .describe(
      '`false` skips answering-machine detection on this call although the agent has a `voicemail` setting (the agent greets at once). Detection runs only for agents with `voicemail`.',
    ),
});

export const ListCallsQuerySchema = z
  .strictObject({
    ...pageQueryShape,
    status: CallStatusSchema.optional(),
    agentId: z.string().min(1).max(64).optional().describe('Only calls handled by this agent.'),
    direction: z.enum(['inbound', 'outbound']).optional().describe('Only inbound or only outbound calls.'),
    from: E164Schema.optional().describe('Only calls from this number (E.164).'),
    to: E164Schema.optional().describe('Only calls to this number (E.164).'),
    since: z.iso.datetime({ offset: true }).optional().describe('Created at or after (ISO-8601).'),
    until: z.iso.datetime({ offset: true }).optional().describe('Created before (ISO-8601).'),
  })
  .refine(
    (q) => !q.since || !q.until || Date.parse(q.since) < Date.parse(q.until),
    'since must be before until',
  );

const UsageSchema = z
  .strictObject({
    responses: z.number().describe('Model responses on the call.'),
    inputTextTokens: z
      .number()
      .describe('Realtime input text tokens (instructions, transcripts, tool results).'),
    inputAudioTokens: z.number().describe('Realtime input audio tokens (the caller heard by the model).'),
    inputCachedTokens: z.number().describe('Of the input tokens, those served from the prompt cache.'),
    inputCachedTextTokens: z.number().describe('Cached input text tokens.'),
    inputCachedAudioTokens: z.number().describe('Cached input audio tokens.'),
    outputTextTokens: z.number().describe('Realtime output text tokens.'),
    outputAudioTokens: z.number().describe('Realtime output audio tokens (the agent speaking).'),
    transcriptionInputTokens: z.number().describe('Caller transcription input tokens (token-billed models).'),
    transcriptionOutputTokens: z.number().describe('Caller transcription output tokens.'),
    transcriptionSeconds: z
      .number()
      .describe('Caller audio transcribed, in seconds (duration-billed models).'),
  })
  .describe('What the call consumed, as the model reported it; the basis of its cost.');

const SummarySchema = z
  .strictObject({
    summary: z.string().describe('Three to six sentences: who called, why, what happened, the outcome.'),
    sentiment: z
      .enum(['positive', 'neutral', 'negative', 'mixed'])
      .describe("The caller's overall sentiment."),
    actionItems: z.array(z.string()).describe('Follow-ups someone must do; empty when none.'),
    qaScore: z.number().describe('0–100: how well the agent handled the call.'),
    qaReasons: z.array(z.string()).describe('One to five short reasons for the score.'),
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Fields extracted as the agent's `summarySchema` asks; only when it has one."),
  })
  .describe('Written by the summary model once the call has ended.');

const TelemetrySchema = z
  .strictObject({
    firstAgentAudioMs: z
      .number()
      .optional()
      .describe('From the media stream being verified to the first agent audio sent to the caller.'),
    responseLatenciesMs: z
      .array(z.number())
      .optional()
      .describe('Per turn: from the caller stopping speaking to the first audio of the reply.'),
    bargeInStopMs: z
      .array(z.number())
      .optional()
      .describe("Per interruption: from the caller's speech detected to the agent's audio stopped."),
    modelReconnects: z
      .number()
      .optional()
      .describe('Times the model connection was re-established mid-call.'),
    resumes: z
      .number()
      .optional()
      .describe('Times the call continued on another media task after its own died or handed it over.'),
    resumeGapsMs: z
      .array(z.number())
      .optional()
      .describe('Per resume: milliseconds the caller was without the agent.'),
  })
  .describe(
    'Latency figures measured by the media service, in milliseconds; present once the call has ended.',
  );

export const CallRecordingSchema = z
  .strictObject({
    status: z
      .enum(['off', 'recording', 'ready', 'failed', 'deleted'])
      .describe(
        '`off`: not recorded; `recording`: a segment is being written; `ready`: every segment settled, fetch it from `GET /v1/calls/{id}/recording`; `failed`: nothing playable was stored; `deleted`: removed.',
      ),
    channels: z
      .enum(['dual', 'mono'])
      .optional()
      .describe('`dual`: stereo, caller left and agent right; `mono`: both mixed.'),
    durationSeconds: z.number().optional().describe('Length of the recording, once ready.'),
    bytes: z.number().int().optional().describe('Size of the WAV file, once ready.'),
    retentionDays: z.number().int().optional().describe('Days the recording is kept.'),
    startedAt: TimestampSchema.optional().describe('When recording started.'),
    completedAt: TimestampSchema.optional().describe('When the recording was stored.'),
    expiresAt: TimestampSchema.optional().describe('When the recording is deleted.'),
    deletedAt: TimestampSchema.optional().describe('When the recording was deleted through the API.'),
    failure: z.string().optional().describe('Why nothing playable was stored, when `failed`.'),
    segments: z
      .number()
      .int()
      .optional()
      .describe(
        'How many segments the recording has (a call resumed on another media task has more than one).',
      ),
    failedSegments: z
      .array(z.number().int())
      .optional()
      .describe('Segments that could not be stored while others were (a `ready` recording with a gap).'),
  })
  .describe("The call's recording, when its agent records calls.");

export const RecordingSegmentLinkSchema = z.strictObject({
  segment: z
    .number()
    .int()
    .describe('Segment number: 0 from the first media task, then one per resume on another task.'),
  url: z
    .string()
    .describe(
      "Presigned HTTPS URL of this segment's WAV file (8 kHz μ-law); works without an API key until `expiresAt`.",
    ),
  expiresAt: TimestampSchema.describe('When `url` stops working (minutes from now).'),
  durationSeconds: z.number().describe('Length of this segment.'),
  channels: z.enum(['dual', 'mono']).describe('`dual`: caller left, agent right; `mono`: both mixed.'),
  bytes: z.number().int().describe("Size of this segment's WAV file."),
  startedAt: TimestampSchema.optional().describe('When this segment started recording.'),
  offsetSeconds: z.number().describe("Seconds from the first segment's start to this one's."),
});

export const RecordingLinkSchema = z.strictObject({
  url: z
    .string()
    .describe(
      "Presigned HTTPS URL of the first segment's WAV file (8 kHz μ-law); works without an API key until `expiresAt`. A call that was never resumed has one segment: this is its whole recording.",
    ),
  expiresAt: TimestampSchema.describe('When `url` stops working (minutes from now).'),
  durationSeconds: z.number().describe('Length of the recording: every segment summed.'),
  channels: z.enum(['dual', 'mono']).describe('`dual`: caller left, agent right; `mono`: both mixed.'),
  bytes: z.number().int().describe('Size of the WAV files, every segment summed.'),
  segments: z
    .array(RecordingSegmentLinkSchema)
    .describe(
      'The recording in call order, one WAV file per segment: a call resumed on another media task (failover) continues in a new segment. Failed segments are left out (see `recording.failedSegments` on the call).',
    ),
});

export const CallSchema = z.strictObject({
  id: z.string().describe('`call_…`'),
  tenantId: z.string().describe('The tenant (`ten_…`) the call belongs to.'),
  agentId: z.string().describe('The agent (`agt_…`) that talked on the call.'),
  direction: z
    .enum(['inbound', 'outbound'])
    .describe('Inbound: the caller dialled in; outbound: placed by the API.'),
  provider: z.enum(CALL_PROVIDERS).describe('Where the call ran: Twilio, your Asterisk, or a browser.'),
  providerCallId: z.string().nullable().describe('Twilio CallSid or Asterisk channel id, once known.'),
  from: z.string().describe('The calling number (E.164), or `web` for browser calls.'),
  to: z.string().describe('The called number (E.164), or the agent id for browser calls.'),
  status: CallStatusSchema,
  createdAt: TimestampSchema.describe('When the call was created (ISO-8601).'),
  updatedAt: TimestampSchema.describe('When the call last changed (ISO-8601).'),
  answeredAt: TimestampSchema.optional().describe('When the agent came on the line.'),
  endedAt: TimestampSchema.optional().describe('When the call ended.'),
  durationSeconds: z.number().optional().describe('From answered to ended, in whole seconds.'),
  endReason: z
    .string()
    .optional()
    .describe(
      'Why it ended: `caller_hangup`, `agent_hangup`, `max_duration`, `model_error`, `voicemail` (an answering machine picked up), `fax`, …',
    ),
  summary: SummarySchema.optional(),
  usage: UsageSchema.optional(),
  telemetry: TelemetrySchema.optional(),
  transfers: z
    .array(
      z.strictObject({
        to: z.string().describe('The number dialled (E.164).'),
        mode: z.literal('warm').describe('Warm: the agent briefed the person before handing over.'),
        outcome: z
          .enum(['answered', 'declined', 'no_answer', 'busy', 'failed', 'canceled'])
          .describe(
            '`answered`: caller and person connected; otherwise why the caller came back to the agent (`canceled`: the caller hung up during the hold).',
          ),
        startedAt: TimestampSchema.describe('When the agent started the transfer.'),
        answeredAt: TimestampSchema.optional().describe('When the person picked up.'),
        endedAt: TimestampSchema.describe('When caller and person were connected, or the attempt ended.'),
      }),
    )
    .optional()
    .describe('Warm transfer attempts, in order.'),
  metadata: z
    .record(z.string(), z.string())
    .describe('Your own key/value pairs, as given when the call was created.'),
  traceId: z
    .string()
    .optional()
    .describe('AWS X-Ray trace id of the call: every service that handled it traced under this id.'),
  recording: CallRecordingSchema.optional(),
  machineDetection: z
    .strictObject({
      answeredBy: z
        .enum(ANSWERED_BY)
        .optional()
        .describe(
          'Who picked up: `human`, `machine` (then `endReason` is `voicemail`), `fax`, or `unknown` (treated as a person); absent while detection runs or when no verdict came.',
        ),
      providerVerdict: z
        .string()
        .optional()
        .describe("The provider's own verdict: Twilio's `AnsweredBy` or Asterisk's `AMDSTATUS/AMDCAUSE`."),
      detectionMs: z.number().optional().describe('How long the provider listened before deciding.'),
    })
    .optional()
    .describe(
      'Answering-machine detection: present on outbound calls that ran it (agents with `voicemail`).',
    ),
});

export const TranscriptTurnSchema = z.strictObject({
  seq: z.number().int().describe('Position in the conversation, from 1.'),
  role: z.enum(['caller', 'agent', 'tool']).describe('Who spoke (or which tool answered).'),
  text: z.string().describe('What was said, as transcribed; what the caller actually heard for the agent.'),
  startedAt: TimestampSchema.describe('When the turn started.'),
  endedAt: TimestampSchema.optional().describe('When the turn ended.'),
  interrupted: z
    .boolean()
    .optional()
    .describe('The caller talked over the agent; `text` is cut where they did.'),
});

export const TranscriptSchema = z.strictObject({
  items: z.array(TranscriptTurnSchema).describe('Every turn of the call, in order.'),
  nextCursor: z.null().describe('Transcripts come whole; always null.'),
});

export const CreateNoteBodySchema = z.strictObject({
  text: z.string().trim().min(1).max(10_000).describe('The note.'),
  author: z.string().trim().min(1).max(200).optional().describe('Who wrote it (free text).'),
});

export const NoteSchema = z.strictObject({
  id: z.string().describe('`note_…`'),
  callId: z.string().describe('The call the note is about.'),
  text: z.string().describe('The note.'),
  author: z.string().optional().describe('Who wrote it (free text).'),
  createdAt: TimestampSchema,
});

export const CreateEscalationBodySchema = z.strictObject({
  reason: z.string().trim().min(1).max(2_000).describe('Why a person should look at the call.'),
  priority: z.enum(ESCALATION_PRIORITIES).default('normal').describe('How urgently.'),
});

export const EscalationSchema = z.strictObject({
  id: z.string().describe('`esc_…`'),
  callId: z.string().describe('The call that was escalated.'),
  reason: z.string().describe('Why a person should look at the call.'),
  priority: z.enum(ESCALATION_PRIORITIES).describe('How urgently.'),
  createdAt: TimestampSchema,
});
