import type { RouteDefinition } from './route-types.ts';

const api = (
  method: RouteDefinition['method'],
  path: string,
  file: string,
  auth: RouteDefinition['auth'] = 'apiKey',
): RouteDefinition => ({
  method,
  path,
  handler: `functions/api/${file}.ts`,
  auth,
});

/** The REST API v1 (control plane). */
export const API_ROUTES: readonly RouteDefinition[] = [
  api('GET', '/health', 'get-health', 'none'),
  api('GET', '/v1/openapi.json', 'get-openapi', 'none'),
  api('GET', '/docs', 'get-docs', 'none'),

  api('POST', '/v1/tenants', 'create-tenant', 'admin'),
  api('GET', '/v1/tenants', 'list-tenants', 'admin'),
  api('GET', '/v1/tenants/{id}', 'get-tenant', 'admin'),
  api('PATCH', '/v1/tenants/{id}', 'update-tenant', 'admin'),

  api('POST', '/v1/api-keys', 'create-api-key'),
  api('GET', '/v1/api-keys', 'list-api-keys'),
  api('DELETE', '/v1/api-keys/{id}', 'delete-api-key'),

  api('POST', '/v1/agents', 'create-agent'),
  api('GET', '/v1/agents', 'list-agents'),
  api('GET', '/v1/agents/{id}', 'get-agent'),
  api('PATCH', '/v1/agents/{id}', 'update-agent'),
  api('DELETE', '/v1/agents/{id}', 'delete-agent'),

  api('POST', '/v1/phone-numbers', 'create-phone-number'),
  api('GET', '/v1/phone-numbers', 'list-phone-numbers'),
  api('GET', '/v1/phone-numbers/{id}', 'get-phone-number'),
  api('PATCH', '/v1/phone-numbers/{id}', 'update-phone-number'),
  api('DELETE', '/v1/phone-numbers/{id}', 'delete-phone-number'),

  api('POST', '/v1/calls', 'create-call'),
  api('GET', '/v1/calls', 'list-calls'),
  api('GET', '/v1/calls/{id}', 'get-call'),
  api('POST', '/v1/calls/{id}/end', 'end-call'),
  api('GET', '/v1/calls/{id}/transcript', 'get-call-transcript'),
  api('POST', '/v1/calls/{id}/notes', 'create-call-note'),
  api('GET', '/v1/calls/{id}/notes', 'list-call-notes'),
  api('POST', '/v1/calls/{id}/escalations', 'create-call-escalation'),
  api('GET', '/v1/calls/{id}/escalations', 'list-call-escalations'),

  // People: invitations, sign-in, MFA, team, audit log (docs/people.md)
  api('POST', '/v1/invitations', 'create-invitation'),
  api('GET', '/v1/invitations', 'list-invitations'),
  api('DELETE', '/v1/invitations/{id}', 'delete-invitation'),
  api('POST', '/v1/auth/accept-invitation', 'accept-invitation', 'none'),
  api('POST', '/v1/auth/sign-in', 'sign-in', 'none'),
  api('POST', '/v1/auth/mfa', 'complete-mfa-sign-in', 'none'),
  api('POST', '/v1/auth/refresh', 'refresh-session', 'none'),
  api('POST', '/v1/auth/sign-out', 'sign-out', 'none'),
  api('POST', '/v1/auth/password-reset', 'request-password-reset', 'none'),
  api('POST', '/v1/auth/password-reset/confirm', 'confirm-password-reset', 'none'),
  api('GET', '/v1/auth/me', 'get-me'),
  api('POST', '/v1/auth/mfa/enroll', 'enroll-mfa'),
  api('POST', '/v1/auth/mfa/confirm', 'confirm-mfa'),
  api('DELETE', '/v1/auth/mfa', 'disable-mfa'),
  api('GET', '/v1/users', 'list-users'),
  api('GET', '/v1/users/{id}', 'get-user'),
  api('PATCH', '/v1/users/{id}', 'update-user'),
  api('DELETE', '/v1/users/{id}', 'delete-user'),
  api('GET', '/v1/audit-events', 'list-audit-events'),
  api('GET', '/v1/security-settings', 'get-security-settings'),
  api('PATCH', '/v1/security-settings', 'update-security-settings'),

  api('GET', '/v1/analytics/summary', 'get-analytics-summary'),
  api('GET', '/v1/analytics/timeseries', 'get-analytics-timeseries'),
  api('GET', '/v1/analytics/agents', 'list-analytics-agents'),
  api('GET', '/v1/analytics/qa', 'get-analytics-qa'),
  api('POST', '/v1/analytics/backfills', 'create-analytics-backfill', 'admin'),
  api('GET', '/v1/analytics/backfills/{id}', 'get-analytics-backfill', 'admin'),
  api('POST', '/v1/exports', 'create-export'),
  api('GET', '/v1/exports/{id}', 'get-export'),
];
