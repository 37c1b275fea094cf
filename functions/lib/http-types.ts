import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Role } from '#shared/people/permissions.ts';
import type { ApiKeyScope } from '#shared/tenants/tenant-types.ts';

/** Who is calling: the platform admin, a tenant's API key, or a signed-in team member. */
export interface AuthContext {
  kind: 'apiKey' | 'admin' | 'user';
  tenantId?: string;
  keyId?: string;
  /** A key's scopes; empty for people (their role decides). */
  scopes: ApiKeyScope[];
  userId?: string;
  role?: Role;
  email?: string;
  sessionId?: string;
  /** How a session arrived: cookies need CSRF protection, the bearer form does not. */
  via?: 'bearer' | 'cookie';
  /** The tenant's analytics time zone (IANA), read with the tenant during authentication. */
  tenantTimeZone?: string;
}

/** What a route function receives: the parsed request. */
export interface HttpRequest {
  event: APIGatewayProxyEventV2;
  method: string;
  path: string;
  pathParams: Record<string, string>;
  query: Record<string, string>;
  /** Header names lowercased, as API Gateway delivers them. */
  headers: Record<string, string>;
  /** The body as sent (base64 already decoded): what signatures are computed over. */
  rawBody: string;
  requestId: string;
  auth?: AuthContext;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send `body` as is (a string) rather than as JSON. */
  raw?: boolean;
  /** `Set-Cookie` values (HTTP API v2 `cookies`). */
  cookies?: string[];
}

export type LambdaHttpResult = APIGatewayProxyStructuredResultV2;
