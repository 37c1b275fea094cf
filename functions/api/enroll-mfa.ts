import { getUser } from '#shared/data/users.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { beginMfaEnrolment } from '#shared/people/mfa.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { userOf } from '../lib/session-response.ts';

/** POST /v1/auth/mfa/enroll: a new TOTP seed, pending until a first code confirms it. */
export const handler = httpHandler(
  async ({ request }) => {
    const { tenantId, userId } = userOf(request);
    const deps = await peopleDepsFromEnv();
    const user = await getUser(deps.db, tenantId, userId);
    if (!user) throw new NotFoundError('User not found.');
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: await beginMfaEnrolment(deps, user),
    };
  },
  { auth: 'apiKey', userOnly: true, allowWithoutMfa: true, scope: 'read' },
);
