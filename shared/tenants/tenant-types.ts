export interface TenantLimits {
  maxConcurrentCalls: number;
  requestsPerSecond: number;
}

export type TenantBillingStatus = 'active' | 'past_due';

export interface Tenant {
  id: string;
  name: string;
  limits: TenantLimits;
  billingStatus: TenantBillingStatus;
  stripeCustomerId?: string;
  webhookUrl?: string;
  /** IANA time zone of the tenant's analytics days and months (`UTC` when unset). */
  timezone?: string;
  createdAt: string;
  updatedAt: string;
}

export type ApiKeyScope = 'admin' | 'read' | 'write';

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  scopes: ApiKeyScope[];
  /** First characters of the secret, so users can tell keys apart. */
  prefix: string;
  /** Per-key request rate cap (requests per second); the tenant's limit applies when absent. */
  requestsPerSecond?: number;
  createdAt: string;
  lastUsedAt?: string;
}
