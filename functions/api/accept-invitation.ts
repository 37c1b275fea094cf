import { acceptInvitation } from '#shared/people/invitations-flow.ts';
import { AcceptInvitationBodySchema } from '#shared/people/people-schemas.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';
import { sessionResult } from '../lib/session-response.ts';

/** POST /v1/auth/accept-invitation: sets the password, spends the link, signs the new user in. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const input = parseBody(request, AcceptInvitationBodySchema);
    const tokens = await acceptInvitation(await peopleDepsFromEnv(), input, originOf(request), Date.now());
    logger.info('invitation accepted', { userId: tokens.user.id });
    return sessionResult(request, tokens, 201);
  },
  { auth: 'none' },
);
