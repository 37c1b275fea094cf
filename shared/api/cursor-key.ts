import { createHmac } from 'node:crypto';

/**
 * The key that signs pagination cursors, derived from the platform's internal signing key so a
 * cursor MAC can never be replayed as any other signed artefact (stream tokens, webhooks).
 */
export function cursorSigningKey(internalSigningKey: string): string {
  return createHmac('sha256', internalSigningKey)
    .update('ai-caller/pagination-cursor/v1')
    .digest('base64url');
}
