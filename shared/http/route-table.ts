import { API_ROUTES } from './api-routes.ts';
import { BILLING_ROUTES } from './billing-routes.ts';
import type { RouteDefinition } from './route-types.ts';
import { WEB_CALL_ROUTES } from './web-call-routes.ts';
import { WEBHOOK_ROUTES } from './webhook-routes.ts';

/**
 * The single route table: the local gateway serves it and CDK creates one HTTP API route and
 * Lambda integration per entry. Feature areas add their routes in their own file and list it here.
 */
export const ROUTES: readonly RouteDefinition[] = [
  ...API_ROUTES,
  ...WEB_CALL_ROUTES,
  ...WEBHOOK_ROUTES,
  ...BILLING_ROUTES,
];
