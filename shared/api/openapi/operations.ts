import type { z } from 'zod';
import { AgentSchema } from '../agent-schemas.ts';
import { ApiKeySchema, CreatedApiKeySchema } from '../api-key-schemas.ts';
import { CallSchema, EscalationSchema, NoteSchema, TranscriptTurnSchema } from '../call-schemas.ts';
import { ErrorResponseSchema } from '../common-schemas.ts';
import { PhoneNumberSchema } from '../phone-number-schemas.ts';
import { TenantSchema } from '../tenant-schemas.ts';
import { ANALYTICS_OPERATIONS } from '../../analytics/analytics-operations.ts';
import { BILLING_OPERATIONS } from '../../billing/billing-api-schemas.ts';
import { PEOPLE_OPERATIONS } from '../../people/people-operations.ts';
import { WEB_CALL_OPERATIONS } from '../../web-calls/web-call-operation.ts';
import { ACCOUNT_OPERATIONS } from './account-operations.ts';
import { CALL_OPERATIONS } from './call-operations.ts';
import { CAMPAIGN_OPERATIONS } from './campaign-operations.ts';
import { KNOWLEDGE_OPERATIONS } from './knowledge-operations.ts';
import type { ApiOperation } from './operation-types.ts';
import { KnowledgeBaseSchema, SyncSchema } from '../../knowledge/knowledge-schemas.ts';
import {
  CampaignSchema,
  ContactInputSchema,
  ContactSchema,
  DncEntrySchema,
} from '../../campaigns/campaign-schemas.ts';
import { ImportSchema } from '../../campaigns/import-schemas.ts';

export type { ApiOperation } from './operation-types.ts';

/**
 * Every operation of the REST API, in the order the reference lists them and CDK deploys them.
 * This is the route table of the REST API (`shared/http/route-table.ts` adds provider webhooks).
 */
export const OPERATIONS: readonly ApiOperation[] = [
  ...ACCOUNT_OPERATIONS,
  ...CALL_OPERATIONS,
  ...KNOWLEDGE_OPERATIONS,
  ...PEOPLE_OPERATIONS,
  ...ANALYTICS_OPERATIONS,
  ...CAMPAIGN_OPERATIONS,
  ...WEB_CALL_OPERATIONS,
  ...BILLING_OPERATIONS,
  // A new resource's list goes here, last: ROUTES keeps this order (see route-table.ts).
];

/**
 * Response models published as named components (`#/components/schemas/<name>`); these are the
 * very instances the operations use, so zod emits `$ref`s wherever they are nested.
 */
export const NAMED_MODELS: Readonly<Record<string, z.ZodType>> = {
  Tenant: TenantSchema,
  ApiKey: ApiKeySchema,
  CreatedApiKey: CreatedApiKeySchema,
  Agent: AgentSchema,
  PhoneNumber: PhoneNumberSchema,
  Call: CallSchema,
  TranscriptTurn: TranscriptTurnSchema,
  Note: NoteSchema,
  Escalation: EscalationSchema,
  Error: ErrorResponseSchema,
  KnowledgeBase: KnowledgeBaseSchema,
  KnowledgeSync: SyncSchema,
  Campaign: CampaignSchema,
  ContactInput: ContactInputSchema,
  CampaignContact: ContactSchema,
  DoNotCallEntry: DncEntrySchema,
  ContactImport: ImportSchema,
};
