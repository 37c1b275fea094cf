export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * How a route authenticates. `apiKey` routes get the tenant from the key; `admin` needs the
 * platform admin key; `signature` routes (provider webhooks) verify the provider's signature in
 * the handler; `none` is public.
 */
export type RouteAuth = 'none' | 'apiKey' | 'admin' | 'signature';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway path syntax: `/v1/calls/{id}`. */
  path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  handler: string;
  auth: RouteAuth;
}
