import type { RouteDefinition } from './route-types.ts';

/** Browser calls: a tenant's backend mints a single-use call link for one visitor. */
export const WEB_CALL_ROUTES: readonly RouteDefinition[] = [
  { method: 'POST', path: '/v1/web-calls', handler: 'functions/api/create-web-call.ts', auth: 'apiKey' },
];
