import type { Call } from '#shared/calls/call-types.ts';
import { RESUME_TOKEN_TTL_SECONDS, signResumeToken } from '#shared/calls/resume-token.ts';
import type { SessionDeps } from '../session/session-deps.ts';

/**
 * Mints the resume tokens a browser call's page holds: bound to the call, its tenant and the
 * ownership generation this task runs it under (a takeover moves the generation on, so a token
 * from before it no longer works).
 */
export function webResumeTokens(
  deps: Pick<SessionDeps, 'secrets'>,
  call: Pick<Call, 'id' | 'tenantId'>,
  generation: number,
): () => Promise<{ token: string; expiresInMs: number } | undefined> {
  return async () => {
    const key = await deps.secrets.get('INTERNAL_SIGNING_KEY');
    if (!key) return undefined;
    const { token } = await signResumeToken(
      { callId: call.id, tenantId: call.tenantId, provider: 'web', generation },
      key,
    );
    return { token, expiresInMs: RESUME_TOKEN_TTL_SECONDS * 1000 };
  };
}
