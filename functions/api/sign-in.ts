import { SignInBodySchema } from '#shared/people/people-schemas.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { signIn } from '#shared/people/sign-in.ts';
import { originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';
import { sessionResult } from '../lib/session-response.ts';

/** POST /v1/auth/sign-in: a session, or `{mfaRequired, mfaToken}` when the account uses MFA. */
export const handler = httpHandler(
  async ({ request }) => {
    const input = parseBody(request, SignInBodySchema);
    const result = await signIn(await peopleDepsFromEnv(), input, originOf(request), Date.now());
    if (result.kind === 'mfa') {
      return {
        status: 200,
        headers: { 'cache-control': 'no-store' },
        body: { mfaRequired: true, mfaToken: result.mfaToken },
      };
    }
    return sessionResult(request, result.tokens);
  },
  { auth: 'none' },
);
