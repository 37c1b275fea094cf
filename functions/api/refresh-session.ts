import { UnauthorizedError } from '#shared/errors/app-error.ts';
import { CSRF_HEADER } from '#shared/people/cookies.ts';
import { RefreshBodySchema } from '#shared/people/people-schemas.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { refreshSession } from '#shared/people/sessions-flow.ts';
import { originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';
import { presentedRefreshToken, sessionResult } from '../lib/session-response.ts';

/** POST /v1/auth/refresh: rotates the refresh token (body or cookie) and issues a new access token. */
export const handler = httpHandler(
  async ({ request }) => {
    const body = parseBody(request, RefreshBodySchema);
    const presented = presentedRefreshToken(request, body.refreshToken);
    if (!presented)
      throw new UnauthorizedError('Send the refresh token (aic_refresh cookie or refreshToken).');
    const tokens = await refreshSession(
      await peopleDepsFromEnv(),
      {
        refreshToken: presented.token,
        ...(presented.viaCookie ? { csrf: { presented: request.headers[CSRF_HEADER] } } : {}),
      },
      originOf(request),
      Date.now(),
    );
    return sessionResult(request, tokens);
  },
  { auth: 'none' },
);
