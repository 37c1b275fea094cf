/**
 * Shapes of the sign-in, people, analytics, exports and knowledge APIs as their issues specify
 * them (people: issue 15, analytics and exports: issue 13, knowledge: issue 14). The console
 * reads only the fields named here.
 */
export type Role = 'owner' | 'admin' | 'member' | 'viewer';

export interface User {
  id: string;
  email: string;
  name?: string;
  role: Role;
  mfaEnabled?: boolean;
  createdAt?: string;
  lastSignInAt?: string;
}

export interface SignedIn {
  user: User;
  accessToken: string;
  expiresAt: string;
  csrfToken?: string;
}

/** `GET /v1/auth/me`. */
export interface Me {
  user: User;
  tenant?: { id: string; name: string };
  mfaRequired?: boolean;
}

export type SignInResult = SignedIn | { mfaRequired: true; mfaToken: string };

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  createdAt?: string;
}

export interface CreatedInvitation {
  invitation: Invitation;
  token: string;
  url: string;
}

export interface MfaEnrolment {
  secret: string;
  otpauthUri: string;
}

/** `GET/PATCH /v1/security-settings`. */
export interface SecuritySettings {
  mfaRequired: boolean;
}

export interface AuditEvent {
  id: string;
  action: string;
  actor?: { type?: string; id?: string; email?: string };
  target?: { type?: string; id?: string };
  sourceIp?: string;
  createdAt: string;
}

export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  count?: number;
}

export interface AnalyticsSummary {
  range: { from: string; to: string; timezone: string };
  totals: {
    calls: number;
    answered: number;
    completed: number;
    failed: number;
    minutes: number;
    billableMinutes: number;
    cost: number;
  };
  rates: {
    answer: number | null;
    completion: number | null;
    escalation: number | null;
    transfer: number | null;
  };
  durations?: { averageSeconds?: number | null; totalSeconds?: number; billableSeconds?: number };
  qa: {
    average: number | null;
    scored?: number;
    distribution?: { from: number; to: number; count: number }[];
  };
  sentiment?: Record<string, number>;
  latency: {
    firstAudio: Percentiles;
    response?: Percentiles;
    bargeIn?: Percentiles;
    bucketError?: number;
  };
}

export interface TimeseriesPoint {
  start: string;
  value: number | null;
}

export interface Timeseries {
  metric: string;
  granularity: 'hour' | 'day' | 'week' | 'month';
  points: TimeseriesPoint[];
}

export interface AgentAnalyticsRow {
  agentId: string;
  calls: number;
  minutes: number;
  answerRate: number | null;
  qaAverage: number | null;
  latencyP90: number | null;
  cost: number;
}

export type ExportStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ExportJob {
  id: string;
  status: ExportStatus;
  format?: 'csv' | 'jsonl';
  from?: string;
  to?: string;
  rowsWritten: number;
  percent: number | null;
  etaSeconds: number | null;
  url?: string;
  expiresAt?: string;
  createdAt?: string;
  error?: string;
}

export interface KnowledgeSource {
  type: string;
  url: string;
}

export interface KnowledgeBase {
  id: string;
  name: string;
  sources: KnowledgeSource[];
  refresh: 'manual' | 'daily' | 'weekly';
  createdAt: string;
  updatedAt?: string;
  lastSync?: KnowledgeSync;
}

export interface KnowledgeSync {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | string;
  pagesDiscovered: number;
  fetched: number;
  unchanged: number;
  failed: number;
  skipped: number;
  chunks: number;
  percent: number | null;
  etaSeconds: number | null;
  startedAt?: string;
  finishedAt?: string;
  errors: { url: string; code: string; message: string }[];
}

export interface KnowledgeDocument {
  url: string;
  title?: string;
  status: string;
  lastFetchedAt?: string;
  chunkCount?: number;
  error?: string;
}

export interface SearchResult {
  text: string;
  url: string;
  title?: string;
  score: number;
}
