import type { z } from 'zod';
import type { Agent } from '../../../shared/agents/agent-schema.ts';
import type { ApiKeySchema, CreatedApiKeySchema } from '../../../shared/api/api-key-schemas.ts';
import type {
  CallSchema,
  EscalationSchema,
  NoteSchema,
  RecordingLinkSchema,
  TranscriptTurnSchema,
} from '../../../shared/api/call-schemas.ts';
import type { PhoneNumberSchema } from '../../../shared/api/phone-number-schemas.ts';
import type {
  DeliveryAttemptSchema,
  MonthUsageSchema,
  RotatedSecretSchema,
} from '../../../shared/billing/billing-api-schemas.ts';
import type { CreatedWebCallSchema } from '../../../shared/web-calls/web-call-schema.ts';

/** Public API shapes, taken from the platform's own schemas (types only: nothing of shared is bundled). */
export type AgentRecord = Agent;
export type Call = z.output<typeof CallSchema>;
export type TranscriptTurn = z.output<typeof TranscriptTurnSchema>;
export type RecordingLink = z.output<typeof RecordingLinkSchema>;
export type Note = z.output<typeof NoteSchema>;
export type Escalation = z.output<typeof EscalationSchema>;
export type PhoneNumber = z.output<typeof PhoneNumberSchema>;
export type ApiKey = z.output<typeof ApiKeySchema>;
export type CreatedApiKey = z.output<typeof CreatedApiKeySchema>;
export type MonthUsage = z.output<typeof MonthUsageSchema>;
export type DeliveryAttempt = z.output<typeof DeliveryAttemptSchema>;
export type RotatedSecret = z.output<typeof RotatedSecretSchema>;
export type CreatedWebCall = z.output<typeof CreatedWebCallSchema>;
export type HttpTool = Agent['tools'][number];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type CallStatus = Call['status'];
