import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiKeyScope } from '#shared/tenants/tenant-types.ts';

export interface AuthContext {
  kind: 'apiKey' | 'admin';
  tenantId?: string;
  keyId?: string;
  scopes: ApiKeyScope[];
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
}

export type LambdaHttpResult = APIGatewayProxyStructuredResultV2;
