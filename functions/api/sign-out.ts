import { recordAuditEvent } from '#shared/data/audit-events.ts';
import { getSession, revokeSession, sessionIdOfRefreshToken } from '#shared/data/sessions.ts';
import { hashToken } from '#shared/data/one-time-tokens.ts';
import { CSRF_HEADER } from '#shared/people/cookies.ts';
import { SignOutBodySchema } from '#shared/people/people-schemas.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { looksLikeJwt, verifyAccessToken } from '#shared/people/session-tokens.ts';
import { CsrfError, csrfMatches } from '#shared/people/sessions-flow.ts';
import { originOf } from '../lib/audit-change.ts';
import { presentedKey, sessionCookie } from '../lib/authenticate.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';
import { presentedRefreshToken, signedOutResult } from '../lib/session-response.ts';

/**
 * POST /v1/auth/sign-out: revokes the session family named by the refresh token (body or cookie)
 * or by the access token (bearer or cookie), and clears the cookies. Always 204 for a credential
 * that is already dead, so signing out twice is harmless; cookie requests need the CSRF header.
 */
export const handler = httpHandler(
  async ({ request }) => {
    const body = parseBody(request, SignOutBodySchema);
    const deps = await peopleDepsFromEnv();
    const nowMs = Date.now();
    const refresh = presentedRefreshToken(request, body.refreshToken);
    let sessionId: string | undefined;
    let viaCookie = false;
    let proven = false;
    if (refresh) {
      sessionId = sessionIdOfRefreshToken(refresh.token);
      viaCookie = refresh.viaCookie;
      const session = sessionId ? await getSession(deps.db, sessionId, nowMs) : undefined;
      proven = Boolean(session && session.currentHash === hashToken(refresh.token));
    } else {
      const bearer = presentedKey(request.headers);
      const token = bearer && looksLikeJwt(bearer) ? bearer : sessionCookie(request);
      viaCookie = !bearer && Boolean(token);
      const claims = token
        ? await verifyAccessToken(deps.keyring, token, nowMs).catch(() => undefined)
        : undefined;
      sessionId = claims?.sessionId;
      proven = Boolean(claims);
    }
    const session = sessionId && proven ? await getSession(deps.db, sessionId, nowMs) : undefined;
    if (!session || session.revoked) return signedOutResult();
    if (viaCookie && !csrfMatches(request.headers[CSRF_HEADER], session.csrf)) throw new CsrfError();
    await revokeSession(deps.db, session.id, 'sign_out');
    await recordAuditEvent(deps.db, {
      tenantId: session.tenantId,
      action: 'auth.signed_out',
      actor: { type: 'user', id: session.userId },
      target: { type: 'session', id: session.id },
      outcome: 'success',
      ...originOf(request),
      nowMs,
    });
    return signedOutResult();
  },
  { auth: 'none' },
);
