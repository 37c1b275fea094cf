import type { HandlerGrants } from '../grants/handler-grants.ts';
import { OPERATIONS } from '../api/openapi/operations.ts';
import type { RouteDefinition } from './route-types.ts';
import { WEBHOOK_ROUTES } from './webhook-routes.ts';

/**
 * The single route table: the local gateway serves it and CDK creates one HTTP API route and
 * Lambda integration per entry. REST routes come from the operation lists (`OPERATIONS`: one
 * entry per operation declares route, auth, scope, grants and reference together); provider
 * webhooks, which API clients never call, from `WEBHOOK_ROUTES`. CDK packs routes into nested
 * stacks in this order, so new operations go at the end of their list, never in front of others.
 */
export const ROUTES: readonly RouteDefinition[] = [
  ...OPERATIONS.map(
    (op): RouteDefinition => ({
      method: op.method,
      path: op.path,
      handler: `functions/api/${op.handler}.ts`,
      auth: op.auth,
      ...(op.scope ? { scope: op.scope } : {}),
      grants: op.grants,
    }),
  ),
  ...WEBHOOK_ROUTES,
];

/** The API-key authorizer in front of every `apiKey` and `admin` route. */
export const AUTHORIZER: { handler: string; grants: HandlerGrants } = {
  handler: 'functions/authorizer/authorize-api-key.ts',
  grants: { table: 'write', secrets: true, sessionKeys: true },
};
