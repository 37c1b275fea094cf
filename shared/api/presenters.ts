import type { z } from 'zod';
import type { Agent } from '../agents/agent-schema.ts';
import type { Call, TranscriptTurn } from '../calls/call-types.ts';
import type { CallEscalation } from '../data/escalations.ts';
import type { CallNote } from '../data/notes.ts';
import type { PhoneNumber } from '../data/phone-numbers.ts';
import type { ApiKeyRecord, Tenant } from '../tenants/tenant-types.ts';
import type { AgentSchema } from './agent-schemas.ts';
import type { ApiKeySchema } from './api-key-schemas.ts';
import type { CallRecording } from '../recordings/recording-types.ts';
import type {
  CallRecordingSchema,
  CallSchema,
  EscalationSchema,
  NoteSchema,
  TranscriptTurnSchema,
} from './call-schemas.ts';
import type { PhoneNumberSchema } from './phone-number-schemas.ts';
import type { TenantSchema } from './tenant-schemas.ts';

/**
 * Records → public JSON. Each presenter names the fields it publishes, so an internal attribute
 * added to a record (hashes, provider sequence numbers, media details) never leaks by accident.
 */
const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined || value === null ? {} : ({ [key]: value } as Record<K, V>);

export function presentTenant(tenant: Tenant): z.output<typeof TenantSchema> {
  return {
    id: tenant.id,
    name: tenant.name,
    limits: {
      maxConcurrentCalls: tenant.limits.maxConcurrentCalls,
      requestsPerSecond: tenant.limits.requestsPerSecond,
    },
    billingStatus: tenant.billingStatus,
    ...optional('stripeCustomerId', tenant.stripeCustomerId),
    ...optional('webhookUrl', tenant.webhookUrl),
    timezone: tenant.timezone ?? 'UTC',
    createdAt: tenant.createdAt,
    updatedAt: tenant.updatedAt,
  };
}

export function presentApiKey(key: ApiKeyRecord): z.output<typeof ApiKeySchema> {
  return {
    id: key.id,
    name: key.name,
    scopes: key.scopes,
    prefix: key.prefix,
    ...optional('requestsPerSecond', key.requestsPerSecond),
    createdAt: key.createdAt,
    ...optional('lastUsedAt', key.lastUsedAt),
  };
}

export function presentAgent(agent: Agent): z.output<typeof AgentSchema> {
  return {
    id: agent.id,
    tenantId: agent.tenantId,
    name: agent.name,
    instructions: agent.instructions,
    voice: agent.voice,
    ...optional('greeting', agent.greeting),
    ...optional('language', agent.language),
    ...optional('model', agent.model),
    tools: agent.tools,
    ...optional('transferNumber', agent.transferNumber),
    ...optional('transferNumbers', agent.transferNumbers),
    maxDurationSeconds: agent.maxDurationSeconds,
    idleTimeoutSeconds: agent.idleTimeoutSeconds,
    ...optional('webhookUrl', agent.webhookUrl),
    ...optional('summarySchema', agent.summarySchema),
    ...optional('knowledgeBaseIds', agent.knowledgeBaseIds),
    ...optional('recording', agent.recording),
    ...optional('voicemail', agent.voicemail),
    createdAt: agent.createdAt,
    updatedAt: agent.updatedAt,
  };
}

export function presentPhoneNumber(phone: PhoneNumber): z.output<typeof PhoneNumberSchema> {
  return {
    id: phone.id,
    number: phone.number,
    agentId: phone.agentId,
    provider: phone.provider,
    createdAt: phone.createdAt,
  };
}

export function presentCall(call: Call): z.output<typeof CallSchema> {
  return {
    id: call.id,
    tenantId: call.tenantId,
    agentId: call.agentId,
    direction: call.direction,
    provider: call.provider,
    providerCallId: call.providerCallId ?? null,
    from: call.from,
    to: call.to,
    status: call.status,
    createdAt: call.createdAt,
    updatedAt: call.updatedAt,
    ...optional('answeredAt', call.answeredAt),
    ...optional('endedAt', call.endedAt),
    ...optional('durationSeconds', call.durationSeconds),
    ...optional('endReason', call.endReason),
    ...optional('summary', call.summary),
    ...optional('usage', call.usage),
    ...optional('telemetry', call.telemetry),
    ...optional('transfers', call.transfers),
    metadata: call.metadata ?? {},
    ...optional('traceId', call.traceId),
    ...(call.recording ? { recording: presentCallRecording(call.recording) } : {}),
    ...optional(
      'machineDetection',
      call.machineDetection && {
        ...optional('answeredBy', call.machineDetection.verdict?.answeredBy),
        ...optional('providerVerdict', call.machineDetection.verdict?.providerVerdict),
        ...optional('detectionMs', call.machineDetection.verdict?.detectionMs),
      },
    ),
  };
}

/** A call's recording as clients see it: its state and size, never where it is stored. */
export function presentCallRecording(recording: CallRecording): z.output<typeof CallRecordingSchema> {
  return {
    status: recording.status,
    ...optional('channels', recording.channels),
    ...optional('durationSeconds', recording.durationSeconds),
    ...optional('bytes', recording.bytes),
    ...optional('retentionDays', recording.retentionDays),
    ...optional('startedAt', recording.startedAt),
    ...optional('completedAt', recording.completedAt),
    ...optional('expiresAt', recording.expiresAt),
    ...optional('deletedAt', recording.deletedAt),
    ...optional('failure', recording.failure),
    ...optional('segments', recording.segments ? Object.keys(recording.segments).length : undefined),
    ...optional('failedSegments', recording.failedSegments),
  };
}

export function presentTranscriptTurn(turn: TranscriptTurn): z.output<typeof TranscriptTurnSchema> {
  return {
    seq: turn.seq,
    role: turn.role,
    text: turn.text,
    startedAt: turn.startedAt,
    ...optional('endedAt', turn.endedAt),
    ...optional('interrupted', turn.interrupted),
  };
}

export function presentNote(note: CallNote): z.output<typeof NoteSchema> {
  return {
    id: note.id,
    callId: note.callId,
    text: note.text,
    ...optional('author', note.author),
    createdAt: note.createdAt,
  };
}

export function presentEscalation(escalation: CallEscalation): z.output<typeof EscalationSchema> {
  return {
    id: escalation.id,
    callId: escalation.callId,
    reason: escalation.reason,
    priority: escalation.priority,
    createdAt: escalation.createdAt,
  };
}
