import { z } from 'zod';
import { CALL_PROVIDERS } from '../calls/providers.ts';
import { ANSWERED_BY } from '../voicemail/answered-by.ts';

/**
 * Message contracts between the media service, the control plane and the consumers. Every
 * message has `schemaVersion` and a unique `eventId` (consumers deduplicate on it).
 */
const Base = {
  schemaVersion: z.literal(1),
  eventId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  tenantId: z.string().min(1),
};

export const CallStartedEventSchema = z.object({
  ...Base,
  type: z.literal('call.started'),
  callId: z.string().min(1),
  agentId: z.string().min(1),
  provider: z.enum(CALL_PROVIDERS),
  direction: z.enum(['inbound', 'outbound']),
});

export const CallEndedEventSchema = z.object({
  ...Base,
  type: z.literal('call.ended'),
  callId: z.string().min(1),
  agentId: z.string().min(1),
  status: z.string().min(1),
  endReason: z.string().optional(),
  durationSeconds: z.number().nonnegative().optional(),
});

export const CallSummarizedEventSchema = z.object({
  ...Base,
  type: z.literal('call.summarized'),
  callId: z.string().min(1),
  agentId: z.string().min(1),
});

export const CallEscalatedEventSchema = z.object({
  ...Base,
  type: z.literal('call.escalated'),
  callId: z.string().min(1),
  agentId: z.string().min(1),
  escalationId: z.string().min(1),
  priority: z.enum(['low', 'normal', 'high', 'urgent']),
  reason: z.string(),
});

/** A call's recording is stored and playable (`GET /v1/calls/{id}/recording`). */
export const CallRecordingReadyEventSchema = z.object({
  ...Base,
  type: z.literal('call.recording_ready'),
  callId: z.string().min(1),
  agentId: z.string().min(1),
  durationSeconds: z.number().nonnegative(),
  channels: z.enum(['dual', 'mono']),
  bytes: z.number().int().nonnegative(),
});

export const CallEventSchema = z.discriminatedUnion('type', [
  CallStartedEventSchema,
  CallEndedEventSchema,
  CallSummarizedEventSchema,
  CallEscalatedEventSchema,
  CallRecordingReadyEventSchema,
]);
export type CallEvent = z.output<typeof CallEventSchema>;
export type CallEventType = CallEvent['type'];

/** Commands to the media service (Asterisk originate, ending a live call). */
export const OriginateCallCommandSchema = z.object({
  ...Base,
  type: z.literal('call.originate'),
  callId: z.string().min(1),
  agentId: z.string().min(1),
  to: z.string().min(1),
  from: z.string().min(1),
});

export const EndCallCommandSchema = z.object({
  ...Base,
  type: z.literal('call.end'),
  callId: z.string().min(1),
  reason: z.string().default('api_request'),
});

/** An answering-machine detection verdict for a live call (Twilio's asynchronous AMD callback). */
export const MachineVerdictCommandSchema = z.object({
  ...Base,
  type: z.literal('call.machine_verdict'),
  callId: z.string().min(1),
  answeredBy: z.enum(ANSWERED_BY),
  providerVerdict: z.string().max(100),
  detectionMs: z.number().int().nonnegative().optional(),
});

export const MediaCommandSchema = z.discriminatedUnion('type', [
  OriginateCallCommandSchema,
  EndCallCommandSchema,
  MachineVerdictCommandSchema,
]);
export type MediaCommand = z.output<typeof MediaCommandSchema>;

/**
 * `export.completed`: a customer webhook that is not about a call. It travels on the webhooks
 * queue beside the call events (`WebhookEventSchema`) and is delivered with the same signing,
 * retries and delivery log.
 */
export const ExportCompletedEventSchema = z.object({
  ...Base,
  type: z.literal('export.completed'),
  exportId: z.string().min(1),
  format: z.enum(['csv', 'jsonl']),
  rowsWritten: z.number().int().nonnegative(),
  /** The range of a calls export. */
  from: z.string().optional(),
  to: z.string().optional(),
  /** The campaign of a campaign-contacts export. */
  campaignId: z.string().optional(),
});
export type ExportCompletedEvent = z.output<typeof ExportCompletedEventSchema>;

export const WebhookEventSchema = z.union([CallEventSchema, ExportCompletedEventSchema]);
export type WebhookEvent = z.output<typeof WebhookEventSchema>;
