import { MfaSignInBodySchema } from '#shared/people/people-schemas.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { completeMfaSignIn } from '#shared/people/sign-in.ts';
import { originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';
import { sessionResult } from '../lib/session-response.ts';

/** POST /v1/auth/mfa: the second step of a sign-in, with a TOTP or a recovery code. */
export const handler = httpHandler(
  async ({ request }) => {
    const input = parseBody(request, MfaSignInBodySchema);
    const tokens = await completeMfaSignIn(await peopleDepsFromEnv(), input, originOf(request), Date.now());
    return sessionResult(request, tokens);
  },
  { auth: 'none' },
);
