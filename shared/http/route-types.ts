import type { HandlerGrants } from '../grants/handler-grants.ts';
import type { Permission } from '../people/permissions.ts';

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
  /** The permission class when not the default (GET → read, others → write). */
  scope?: Permission;
  /** What the handler's function may touch; CDK grants exactly this. */
  grants: HandlerGrants;
}
