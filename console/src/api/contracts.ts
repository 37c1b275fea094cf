import type { z } from 'zod';
import type {
  AgentsTableSchema,
  AnalyticsSummarySchema,
  TimeseriesSchema,
} from '../../../shared/analytics/analytics-operations.ts';
import type {
  AddContactsResultSchema,
  CampaignSchema,
  ContactSchema,
  DncEntrySchema,
} from '../../../shared/campaigns/campaign-schemas.ts';
import type { UpdateCampaignBodySchema } from '../../../shared/campaigns/campaign-update-schema.ts';
import type { ImportSchema, ImportUploadSchema } from '../../../shared/campaigns/import-schemas.ts';
import type { ExportSchema } from '../../../shared/exports/export-schemas.ts';
import type {
  DocumentSchema,
  KnowledgeBaseSchema,
  SearchResultSchema,
  SourceInputSchema,
  SyncSchema,
} from '../../../shared/knowledge/knowledge-schemas.ts';
import type {
  AuditEventSchema,
  CreatedInvitationSchema,
  InvitationSchema,
  MeSchema,
  MfaEnrollmentSchema,
  SecuritySettingsSchema,
  SessionSchema,
  SignInResultSchema,
  UserSchema,
} from '../../../shared/people/people-schemas.ts';

/**
 * Shapes of the sign-in, people, analytics, exports and knowledge APIs, taken from the schemas the
 * API validates and presents with (types only: nothing of shared is bundled). A field the API
 * renames or drops is a compile error here, not a blank on a page.
 */
export type User = z.output<typeof UserSchema>;
export type Role = User['role'];
export type SignedIn = z.output<typeof SessionSchema>;
export type SignInResult = z.output<typeof SignInResultSchema>;
/** `GET /v1/auth/me`. */
export type Me = z.output<typeof MeSchema>;
export type Invitation = z.output<typeof InvitationSchema>;
export type CreatedInvitation = z.output<typeof CreatedInvitationSchema>;
export type MfaEnrolment = z.output<typeof MfaEnrollmentSchema>;
/** `GET/PATCH /v1/security-settings`. */
export type SecuritySettings = z.output<typeof SecuritySettingsSchema>;
export type AuditEvent = z.output<typeof AuditEventSchema>;

export type AnalyticsSummary = z.output<typeof AnalyticsSummarySchema>;
export type Percentiles = AnalyticsSummary['latency']['firstAudio'];
export type Timeseries = z.output<typeof TimeseriesSchema>;
export type TimeseriesPoint = Timeseries['points'][number];
export type AgentAnalyticsRow = z.output<typeof AgentsTableSchema>['agents'][number];

export type ExportJob = z.output<typeof ExportSchema>;
export type ExportStatus = ExportJob['status'];

export type KnowledgeBase = z.output<typeof KnowledgeBaseSchema>;
export type KnowledgeSource = KnowledgeBase['sources'][number];
export type KnowledgeSourceInput = z.output<typeof SourceInputSchema>;
export type KnowledgeSync = z.output<typeof SyncSchema>;
export type KnowledgeDocument = z.output<typeof DocumentSchema>;
export type SearchResult = z.output<typeof SearchResultSchema>;

export type Campaign = z.output<typeof CampaignSchema>;
export type CampaignStatus = Campaign['status'];
export type ContactState = keyof Campaign['counts'];
export type CampaignContact = z.output<typeof ContactSchema>;
export type AddContactsResult = z.output<typeof AddContactsResultSchema>;
export type DncEntry = z.output<typeof DncEntrySchema>;
export type ImportJob = z.output<typeof ImportSchema>;
export type ImportUpload = z.output<typeof ImportUploadSchema>;
/** `PATCH /v1/campaigns/{id}` (the create body is the same fields plus `agentId`). */
export type CampaignPatch = z.input<typeof UpdateCampaignBodySchema>;
