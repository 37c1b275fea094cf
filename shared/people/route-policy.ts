/**
 * Changes recorded in the audit log by the HTTP layer itself, so every route of these kinds is
 * covered whoever wrote its handler: the action, and where the target's id is (the path's `{id}`
 * or the response's `body[resource].id`). Sign-in, MFA, invitation and user events are written
 * by their flows, with details these generic entries cannot know.
 */
export const AUDITED_ROUTES: Readonly<Record<string, { action: string; target: string; resource?: string }>> =
  {
    'POST /v1/api-keys': { action: 'api_key.created', target: 'apiKey', resource: 'apiKey' },
    'DELETE /v1/api-keys/{id}': { action: 'api_key.revoked', target: 'apiKey' },
    'POST /v1/agents': { action: 'agent.created', target: 'agent', resource: 'agent' },
    'PATCH /v1/agents/{id}': { action: 'agent.updated', target: 'agent' },
    'DELETE /v1/agents/{id}': { action: 'agent.deleted', target: 'agent' },
    'POST /v1/phone-numbers': {
      action: 'phone_number.created',
      target: 'phoneNumber',
      resource: 'phoneNumber',
    },
    'PATCH /v1/phone-numbers/{id}': { action: 'phone_number.updated', target: 'phoneNumber' },
    'DELETE /v1/phone-numbers/{id}': { action: 'phone_number.deleted', target: 'phoneNumber' },
    'POST /v1/webhook-secret/rotate': { action: 'webhook.secret_rotated', target: 'webhook' },
    'PATCH /v1/tenants/{id}': { action: 'tenant.updated', target: 'tenant' },
    'PATCH /v1/security-settings': { action: 'security.updated', target: 'tenant' },
    'DELETE /v1/calls/{id}/recording': { action: 'call_recording.deleted', target: 'call' },
  };
